/** The live checks of the alarms concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const ALARMS_LIVE_CHECKS: readonly LiveCheck[] = [];
