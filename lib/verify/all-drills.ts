/** Every drill npm run verify --drill=<id> knows. */
import { SECRET_DENIAL_DRILL } from '../secrets/secret-denial-drill';
import type { Drill } from './drill';

export const ALL_DRILLS: readonly Drill[] = [SECRET_DENIAL_DRILL];
