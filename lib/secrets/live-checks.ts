/** The live checks of the secrets concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const SECRETS_LIVE_CHECKS: readonly LiveCheck[] = [];
