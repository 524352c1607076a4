/** Every live check, in the order of the table: the deployment, then one concern after another. */
import { ALARMS_LIVE_CHECKS } from '../alarms/live-checks';
import { AUDIT_LIVE_CHECKS } from '../audit/live-checks';
import { EDGE_LIVE_CHECKS } from '../edge/live-checks';
import { HOST_API_LIVE_CHECKS } from '../host/live-api-checks';
import { HOST_LIVE_CHECKS } from '../host/live-checks';
import { SECRETS_LIVE_CHECKS } from '../secrets/live-checks';
import { SPEND_LIVE_CHECKS } from '../spend/live-checks';
import { DEPLOYMENT_LIVE_CHECKS } from './deployment-checks';
import type { LiveCheck } from './live-check';

export const ALL_LIVE_CHECKS: readonly LiveCheck[] = [
  ...DEPLOYMENT_LIVE_CHECKS,
  ...EDGE_LIVE_CHECKS,
  ...HOST_API_LIVE_CHECKS,
  ...HOST_LIVE_CHECKS,
  ...SECRETS_LIVE_CHECKS,
  ...AUDIT_LIVE_CHECKS,
  ...ALARMS_LIVE_CHECKS,
  ...SPEND_LIVE_CHECKS,
];
