/**
 * The gateway host's secrets refresh and the alarm that watches it, for the
 * secret-denial drill (test/verify/secret-denial-drill.test.ts installs it
 * itself, after installFakeAws: it stubs SSM and CloudWatch for that file only).
 *
 * SendCommand of the refresh document runs what the host would: for each
 * secret of the rendered manifest (renderSecretsManifest), in order, the
 * host role's GetSecretValue is decided with the IAM simulator against the
 * secret's CURRENT resource policy in the Secrets Manager fake (the role's
 * identity policies from the template). The first refused read becomes the
 * failure fetch-secrets prints (diagnoseCallError and failureLine of
 * host/fetch-secrets), appended to the journal log group as the journal
 * export ships it, with one SecretRetrievalFailed datapoint; the command then
 * fails with systemctl's message (the FAILED line is in the journal, not in
 * the command output). The alarm's state follows the metric: ALARM while a
 * datapoint is inside its period (Sum >= threshold), OK otherwise (missing
 * data not breaching). Time is the state's clock, which the test advances.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { diagnoseCallError } from '../../../host/fetch-secrets/diagnose';
import { failureLine } from '../../../host/fetch-secrets/failure';
import { SECRETS_REFRESH_UNIT } from '../../../lib/host/unit-names';
import { renderSecretsManifest } from '../../../lib/secrets/secrets-manifest';
import { hostLogGroupPrefix } from '../../../lib/shared/naming';
import { NOW } from '../config-fixture';
import { decide, roleId, rolePrincipal } from '../deployment-policies';
import type { PolicyDocument } from '../template-policies';
import { appendLogEvent } from './logs';
import { secretsManagerState } from './secrets-manager';
import type { FakeWorld, Restorable } from './world';

/** One command invocation. */
export interface FakeInvocation {
  readonly status: 'Success' | 'Failed';
  readonly stdout: string;
  readonly stderr: string;
}

export interface HostRefreshState {
  /** The world's clock (ms): the drill's sleep advances it. */
  now: number;
  /** Timestamps of SecretRetrievalFailed datapoints (value 1 each). */
  readonly failures: number[];
  /** By command ID. */
  readonly commands: Map<string, FakeInvocation>;
  /** Commands sent, in order (document name, instance and comment), for assertions. */
  readonly sent: { readonly documentName: string; readonly instanceId: string; readonly comment?: string }[];
  /** When set, SendCommand throws this (a step failing mid-drill). */
  sendError?: Error;
  /** When true, the host publishes no metric (the alarm never fires). */
  metricBroken?: boolean;
}

export function hostRefreshState(world: FakeWorld): HostRefreshState {
  const existing = world.state.hostRefresh as HostRefreshState | undefined;
  if (existing) return existing;
  const state: HostRefreshState = { now: NOW.getTime(), failures: [], commands: new Map(), sent: [] };
  world.state.hostRefresh = state;
  return state;
}

const refreshDocument = (world: FakeWorld) =>
  world.resources('AWS::SSM::Document', 'gateway').find((r) => JSON.stringify(world.properties(r).Content).includes(`systemctl start ${SECRETS_REFRESH_UNIT}`))!;

/** Runs the refresh on the host: what fetch-secrets --refresh would do with the current policies. */
async function runRefresh(world: FakeWorld, instanceId: string): Promise<FakeInvocation> {
  const state = hostRefreshState(world);
  const gateway = world.policiesOf('gateway');
  const hostRole = rolePrincipal(gateway, roleId(gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host'));
  const manifest = renderSecretsManifest(world.config);
  const journal = `${hostLogGroupPrefix(world.name)}journal`;
  // systemd logs the start of the unit first (a line without the failure: a search must filter).
  appendLogEvent(world, world.config.aws.region, journal, {
    timestamp: state.now,
    logStreamName: instanceId,
    message: JSON.stringify({ _SYSTEMD_UNIT: 'init.scope', SYSLOG_IDENTIFIER: 'systemd', UNIT: SECRETS_REFRESH_UNIT, MESSAGE: `Starting ${SECRETS_REFRESH_UNIT}...` }),
  });
  for (const secret of manifest.secrets) {
    const live = [...secretsManagerState(world).secrets.values()].find((s) => s.name === secret.secretId && s.region === secret.region);
    let error: Error | undefined;
    if (!live) {
      error = Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    } else {
      const policy = live.policy ? (JSON.parse(live.policy) as PolicyDocument) : undefined;
      const decision = await decide(hostRole, { action: 'secretsmanager:GetSecretValue', resource: live.arn }, policy);
      if (decision !== 'Allow') {
        const why = decision === 'ExplicitDeny' ? 'with an explicit deny in a resource-based policy' : 'because no identity-based policy allows the secretsmanager:GetSecretValue action';
        error = Object.assign(
          new Error(`User: arn:aws:sts::${world.account}:assumed-role/${hostRole.arn.split('/').pop()}/${instanceId} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secret.secretId} ${why}`),
          { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } },
        );
      }
    }
    if (!error) continue;
    const failure = diagnoseCallError(error, { secret, stage: 'AWSCURRENT', role: hostRole.arn, endpoint: `https://secretsmanager.${secret.region}.amazonaws.com` });
    const line = failureLine(failure, manifest.metricName, state.metricBroken ? { published: false, why: 'PutMetricData refused' } : { published: true, namespace: manifest.metricNamespace });
    if (!state.metricBroken) state.failures.push(state.now);
    // The journal export ships journalctl --output=json lines a minute later at most.
    appendLogEvent(world, world.config.aws.region, journal, {
      timestamp: state.now,
      logStreamName: instanceId,
      message: JSON.stringify({ _SYSTEMD_UNIT: SECRETS_REFRESH_UNIT, SYSLOG_IDENTIFIER: 'refresh-secrets.sh', MESSAGE: line }),
    });
    return {
      status: 'Failed',
      stdout: '',
      stderr:
        `Job for ${SECRETS_REFRESH_UNIT} failed because the control process exited with error code.\n` +
        `See "systemctl status ${SECRETS_REFRESH_UNIT}" and "journalctl -xeu ${SECRETS_REFRESH_UNIT}" for details.\nfailed to run commands: exit status 1`,
    };
  }
  return { status: 'Success', stdout: '', stderr: '' };
}

/** Stubs SSM (the refresh document) and CloudWatch (the secret-retrieval-failed alarm) for one test file. */
export function installHostRefreshFake(world: FakeWorld): Restorable[] {
  const state = hostRefreshState(world);
  const ssm = mockClient(SSMClient);
  const documentName = world.physicalId('gateway', refreshDocument(world).logicalId);
  const instances = world.resources('AWS::EC2::Instance', 'gateway').map((r) => world.physicalId('gateway', r.logicalId));
  ssm.on(SendCommandCommand).callsFake(async (input: { DocumentName?: string; InstanceIds?: string[]; Comment?: string }) => {
    if (state.sendError) throw state.sendError;
    if (input.DocumentName !== documentName) throw Object.assign(new Error(`document ${input.DocumentName} not modelled here`), { name: 'InvalidDocument' });
    const instanceId = input.InstanceIds?.[0] ?? '';
    if (!instances.includes(instanceId)) throw Object.assign(new Error('Instances not in a valid state for account'), { name: 'InvalidInstanceId' });
    const id = `cmd-${state.sent.length + 1}`;
    state.sent.push({ documentName, instanceId, comment: input.Comment });
    state.commands.set(id, await runRefresh(world, instanceId));
    return { Command: { CommandId: id, DocumentName: documentName, Status: 'Pending' } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake(async (input: { CommandId?: string }) => {
    const c = state.commands.get(String(input.CommandId));
    if (!c) throw Object.assign(new Error('InvocationDoesNotExist'), { name: 'InvocationDoesNotExist' });
    return { CommandId: input.CommandId, Status: c.status, StatusDetails: c.status, ResponseCode: c.status === 'Success' ? 0 : 1, StandardOutputContent: c.stdout, StandardErrorContent: c.stderr };
  });
  const cw = mockClient(CloudWatchClient);
  const alarm = world.resources('AWS::CloudWatch::Alarm', 'gateway').find((r) => world.properties(r).AlarmName === `${world.name}-secret-retrieval-failed`)!;
  const p = world.properties(alarm) as { AlarmName: string; Period: number; Threshold: number };
  cw.on(DescribeAlarmsCommand).callsFake(async (input: { AlarmNames?: string[] }) => {
    if (!input.AlarmNames?.includes(p.AlarmName)) return { MetricAlarms: [] };
    const inPeriod = state.failures.filter((t) => t > state.now - p.Period * 1000 && t <= state.now).length;
    const breaching = inPeriod >= p.Threshold;
    return {
      MetricAlarms: [
        {
          AlarmName: p.AlarmName,
          StateValue: breaching ? 'ALARM' : 'OK',
          StateReason: breaching ? `Threshold Crossed: 1 datapoint [${inPeriod}.0] was greater than or equal to the threshold (${p.Threshold}.0).` : 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
        },
      ],
    };
  });
  return [ssm, cw];
}
