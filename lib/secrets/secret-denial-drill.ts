/**
 * The boot-retrieval failure drill (npm run verify --drill=secret-denial, dev
 * and staging only): a secret the host cannot read must surface as the named
 * failure and its alarm, and everything must come back afterwards.
 *
 * 1. Adds an explicit Deny of secretsmanager:GetSecretValue for the gateway
 *    host's role to the resource policy of one agent secret (PutResourcePolicy;
 *    the original is kept).
 * 2. Runs the host's retrieval now: the per-deployment refresh document
 *    (SendCommand), which starts openclaw-secrets-refresh.service, the same
 *    fetch-secrets program as at boot, in refresh mode (it leaves the running
 *    gateway's files alone). Not a reboot: a reboot stops the gateway for
 *    minutes and proves the same failure path.
 * 3. Waits for the `secret-retrieval-failed` alarm to be in ALARM (first: it
 *    returns to OK one period later), then for `openclaw-secrets: FAILED
 *    AccessDenied: <secret>` in the host's journal log group (the command
 *    itself only shows systemctl's message).
 * 4. Always (finally) puts the original policy back, runs the refresh again
 *    (it must succeed) and waits for the alarm to return to OK.
 * Poll interval, timeouts, sleep and clock are injectable (tests run on a fake clock).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetResourcePolicyCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CommandInvocationStatus, GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ALARMS } from '../alarms/alarm-catalogue';
import { SECRETS_REFRESH_UNIT } from '../host/unit-names';
import { hostLogGroupPrefix } from '../shared/naming';
import type { Drill } from '../verify/drill';
import type { TemplateRef } from '../verify/deployed-stacks';
import type { CheckResult } from '../verify/live-check';
import type { VerifyContext } from '../verify/verify-context';
import { policyDifferences } from './live-policy';
import { liveValue } from '../verify/template-values';

export interface SecretDenialDrillOptions {
  /** Between two polls. @default 15 s */
  readonly pollMs?: number;
  /** For an SSM command to finish. @default 3 min */
  readonly commandTimeoutMs?: number;
  /** For the alarm to fire, and for the FAILED line to reach the log group (the journal is exported every minute). @default 15 min */
  readonly alarmTimeoutMs?: number;
  /** For the alarm to return to OK after the restore (its 5-minute period must pass without a failure). @default 20 min */
  readonly okTimeoutMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The Sid of the drill's Deny: a policy left with it after a crash names the drill. */
export const DRILL_DENY_SID = 'VerifyDrillDenyHostRead';
/** The failure fetch-secrets names for a denied read (host/fetch-secrets/failure.ts). */
const FAILURE = 'AccessDenied';
/**
 * GetCommandInvocation's Status values that end the wait: the final ones, and Cancelling (a
 * command being cancelled will not succeed). Pending, InProgress and Delayed are waited
 * through. (Undeliverable, Terminated, DeliveryTimedOut and the like are StatusDetails, not
 * Status values.)
 */
const TERMINAL: ReadonlySet<string> = new Set<string>([
  CommandInvocationStatus.SUCCESS,
  CommandInvocationStatus.FAILED,
  CommandInvocationStatus.CANCELLED,
  CommandInvocationStatus.TIMED_OUT,
  CommandInvocationStatus.CANCELLING,
]);

function one(ctx: VerifyContext, type: string, what: string, test: (r: TemplateRef) => boolean): TemplateRef {
  const found = ctx.find(type, 'gateway').filter(test);
  if (found.length !== 1) throw new Error(`the gateway stack has ${found.length} ${what}; expected one`);
  return found[0]!;
}

/** What the drill acts on, from the templates and CloudFormation. */
async function targets(ctx: VerifyContext) {
  // Agent secrets: the ones with a literal name and no generated value (the token and
  // origin-verify secrets are generated). The first by name, whatever the template order.
  const agents = ctx.find('AWS::SecretsManager::Secret', 'gateway').flatMap((r) => {
    const p = r.resource.Properties;
    return p && p.GenerateSecretString === undefined && typeof p.Name === 'string' ? [{ ref: r, name: p.Name }] : [];
  });
  const secret = agents.sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!secret) throw new Error('the gateway stack has no agent secret (a secret with a literal Name and no GenerateSecretString)');
  const instance = one(ctx, 'AWS::EC2::Instance', 'gateway instances', () => true);
  const profileId = (instance.resource.Properties?.IamInstanceProfile as { Ref?: string } | undefined)?.Ref;
  const roles = instance.stack.template.Resources?.[profileId ?? '']?.Properties?.Roles as { Ref?: string }[] | undefined;
  const roleId = roles?.[0]?.Ref;
  if (!roleId) throw new Error('the gateway instance has no instance profile role in its template');
  const document = one(ctx, 'AWS::SSM::Document', 'secrets refresh documents', (r) => JSON.stringify(r.resource.Properties?.Content ?? {}).includes(`systemctl start ${SECRETS_REFRESH_UNIT}`));
  const alarmName = `${ctx.name}-${ALARMS.secretRetrievalFailed.id}`;
  one(ctx, 'AWS::CloudWatch::Alarm', `alarms named ${alarmName}`, (r) => r.resource.Properties?.AlarmName === alarmName);
  return {
    region: secret.ref.stack.region,
    secretArn: await ctx.physicalId(secret.ref),
    secretName: secret.name,
    instanceId: await ctx.physicalId(instance),
    hostRoleArn: String(await liveValue(ctx, instance.stack, { 'Fn::GetAtt': [roleId, 'Arn'] })),
    documentName: await ctx.physicalId(document),
    alarmName,
    journalGroup: `${hostLogGroupPrefix(ctx.name)}journal`,
  };
}

export function secretDenialDrill(options: SecretDenialDrillOptions = {}): Drill {
  const pollMs = options.pollMs ?? 15_000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 180_000;
  const alarmTimeoutMs = options.alarmTimeoutMs ?? 900_000;
  const okTimeoutMs = options.okTimeoutMs ?? 1_200_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;

  /** Polls `probe` until it returns a value or `timeoutMs` passes; undefined on timeout. */
  async function until<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
    const end = now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (now() >= end) return undefined;
      await sleep(pollMs);
    }
  }

  const drill: Drill = {
    id: 'secret-denial',
    title: 'Deny the host one agent secret: the retrieval fails named AccessDenied and secret-retrieval-failed fires; then restore',
    nonProdOnly: true,
    run: async (ctx, log) => {
      const t = await targets(ctx);
      const sm = ctx.client(SecretsManagerClient, t.region);
      const ssm = ctx.client(SSMClient, t.region);
      const cw = ctx.client(CloudWatchClient, t.region);
      const logs = ctx.client(CloudWatchLogsClient, t.region);
      const check = `drill.${drill.id}`;
      const mk = (status: 'pass' | 'fail', resource: string, evidence: string): CheckResult => ({ check, control: ALARMS.secretRetrievalFailed.id, status, resource, evidence });
      const alarmState = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [t.alarmName] }))).MetricAlarms?.[0]?.StateValue ?? '(no alarm)';
      /** Runs the refresh document now and waits for its status ('not finished' after commandTimeoutMs). */
      const refresh = async (): Promise<{ status: string; id: string }> => {
        const sent = await ssm.send(new SendCommandCommand({ DocumentName: t.documentName, InstanceIds: [t.instanceId], Comment: `npm run verify --drill=${drill.id}` }));
        const id = sent.Command?.CommandId;
        if (!id) throw new Error(`SendCommand of ${t.documentName} to ${t.instanceId} returned no command ID`);
        const status = await until(commandTimeoutMs, async () => {
          try {
            const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: id, InstanceId: t.instanceId }));
            return TERMINAL.has(inv.Status ?? '') ? inv.Status : undefined;
          } catch (e) {
            if ((e as Error).name === 'InvocationDoesNotExist') return undefined;
            throw e;
          }
        });
        return { status: status ?? 'not finished', id };
      };

      const before = await alarmState();
      if (before !== 'OK') return [mk('fail', t.alarmName, `alarm ${before} before the drill; expected OK (nothing was changed)`)];
      const original = (await sm.send(new GetResourcePolicyCommand({ SecretId: t.secretArn }))).ResourcePolicy;
      if (!original) return [mk('fail', t.secretArn, 'the secret has no resource policy to restore afterwards (nothing was changed); run the secrets checks')];
      const doc = JSON.parse(original) as { Version?: string; Statement: unknown[] };
      const denied = { ...doc, Statement: [...doc.Statement, { Sid: DRILL_DENY_SID, Effect: 'Deny', Principal: { AWS: t.hostRoleArn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] };
      const results: CheckResult[] = [];
      const start = now();
      const secs = (from: number) => `${Math.round((now() - from) / 1000)} s`;
      try {
        log(`denying ${t.hostRoleArn} GetSecretValue on ${t.secretName}`);
        await sm.send(new PutResourcePolicyCommand({ SecretId: t.secretArn, ResourcePolicy: JSON.stringify(denied) }));
        log(`running ${t.documentName} on ${t.instanceId}`);
        const failed = await refresh();
        // The alarm first: its state is transient (OK again one period after the failure), the
        // journal line is not. The command's own output is systemctl's message only; the named
        // failure is in the journal, which the host ships to its log group.
        log('waiting for the alarm');
        const fired = await until(alarmTimeoutMs, async () => ((await alarmState()) === 'ALARM' ? true : undefined));
        const alarmResult = fired
          ? mk('pass', t.alarmName, `ALARM ${secs(start)} after the deny`)
          : mk('fail', t.alarmName, `still ${await alarmState()} ${alarmTimeoutMs / 1000} s after the deny; expected ALARM`);
        const pattern = `"FAILED ${FAILURE}: ${t.secretName}"`;
        const line = await until(alarmTimeoutMs, async () => {
          const out = await logs.send(new FilterLogEventsCommand({ logGroupName: t.journalGroup, startTime: start, filterPattern: pattern }));
          return out.events?.[0]?.message;
        });
        results.push(
          line === undefined
            ? mk('fail', t.secretArn, `refresh command ${failed.id} ${failed.status}; no "FAILED ${FAILURE}: ${t.secretName}" in ${t.journalGroup} within ${alarmTimeoutMs / 1000} s; expected the named failure`)
            : mk('pass', t.secretArn, `refresh command ${failed.id} ${failed.status}; named failure after ${secs(start)}: ${line.slice(0, 300)}`),
          alarmResult,
        );
      } finally {
        log(`restoring the resource policy of ${t.secretName}`);
        await sm.send(new PutResourcePolicyCommand({ SecretId: t.secretArn, ResourcePolicy: original }));
      }
      const restoredAt = now();
      const live = (await sm.send(new GetResourcePolicyCommand({ SecretId: t.secretArn }))).ResourcePolicy ?? '{}';
      const diff = policyDifferences(live, original);
      const again = await refresh();
      log('waiting for the alarm to return to OK');
      const ok = await until(okTimeoutMs, async () => ((await alarmState()) === 'OK' ? true : undefined));
      const restored = diff.length === 0 && again.status === 'Success' && ok === true;
      results.push(
        mk(
          restored ? 'pass' : 'fail',
          t.secretArn,
          `policy ${diff.length === 0 ? 'restored' : `differs from the original: ${diff.join('; ')}`}; refresh ${again.id} ${again.status}; alarm ${ok ? `OK ${secs(restoredAt)} after the restore` : `not OK within ${okTimeoutMs / 1000} s`}; drill took ${secs(start)}` +
            (restored ? '' : '; expected the original policy, a successful refresh and the alarm OK'),
        ),
      );
      return results;
    },
  };
  return drill;
}

/** The drill as npm run verify runs it (real clock, 15 s polls). */
export const SECRET_DENIAL_DRILL = secretDenialDrill();
