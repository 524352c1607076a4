/** Every drill npm run verify --drill=<id> knows. */
import { dryRunDrill, killDrill } from '../spend/kill-switch-drills';
import type { Drill } from './drill';

export const ALL_DRILLS: readonly Drill[] = [
  dryRunDrill,
  killDrill,
];
