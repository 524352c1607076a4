/** Every drill npm run verify --drill=<id> knows. */
import type { Drill } from './drill';

export const ALL_DRILLS: readonly Drill[] = [];
