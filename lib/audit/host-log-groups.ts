import { removalPolicyFor } from '../shared/retention';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeImportedLogGroupKey } from '../gate/acknowledge';
import type { HostLogGroup } from '../host/cloudwatch-agent';

export interface HostLogGroupsProps {
  /** HOST_LOG_GROUPS(config): what the CloudWatch agent on the host ships, one group each. */
  readonly groups: readonly HostLogGroup[];
  /** The deployment key (in the core stack). */
  readonly key: kms.IKey;
  /** How long each group keeps events (config logs.retentionDays). */
  readonly retentionDays: logs.RetentionDays;
  /** Keep the groups when they leave the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/**
 * The log groups the host's CloudWatch agent ships to (the gateway's log, nginx's
 * access and error logs, the units' journal): KMS-encrypted with the deployment
 * key, kept config.logs.retentionDays, retained. The agent may write streams
 * but not create groups or change retention (the host role has neither).
 */
export class HostLogGroups extends Construct {
  /** By HostLogGroup id. */
  readonly byId: Readonly<Record<string, logs.LogGroup>>;

  constructor(scope: Construct, id: string, props: HostLogGroupsProps) {
    super(scope, id);
    const byId: Record<string, logs.LogGroup> = {};
    for (const g of props.groups) {
      const group = new logs.LogGroup(this, g.id, {
        logGroupName: g.logGroupName,
        encryptionKey: props.key,
        retention: props.retentionDays,
        removalPolicy: removalPolicyFor(props.retainOnDelete),
      });
      acknowledgeImportedLogGroupKey(group);
      byId[g.id] = group;
    }
    this.byId = byId;
  }

  /** The group of one source; throws naming the known ids when it is not shipped. */
  group(id: string): logs.LogGroup {
    const g = this.byId[id];
    if (!g) throw new Error(`no host log group "${id}" (shipped: ${Object.keys(this.byId).join(', ')})`);
    return g;
  }
}
