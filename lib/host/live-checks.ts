/** The live checks of the host concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const HOST_LIVE_CHECKS: readonly LiveCheck[] = [];
