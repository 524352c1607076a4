/** The live checks of the audit concern (see lib/verify/live-check.ts). */
import type { LiveCheck } from '../verify/live-check';

export const AUDIT_LIVE_CHECKS: readonly LiveCheck[] = [];
