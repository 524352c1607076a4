/** The live checks of the edge concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const EDGE_LIVE_CHECKS: readonly LiveCheck[] = [];
