/** The live checks of the spend concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const SPEND_LIVE_CHECKS: readonly LiveCheck[] = [];
