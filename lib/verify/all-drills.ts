/** Every drill npm run verify --drill=<id> knows. */
import { SECRET_DENIAL_DRILL } from '../secrets/secret-denial-drill';
import { dryRunDrill, killDrill } from '../spend/kill-switch-drills';
import type { Drill } from './drill';

export const ALL_DRILLS: readonly Drill[] = [dryRunDrill, killDrill, SECRET_DENIAL_DRILL];
