/**
 * The host's facts, collected once per verify run: SendCommand of the
 * deployment's verification document to the gateway instance, GetCommandInvocation
 * until it ends, and the one JSON object host/verify/collect-host-facts.sh printed.
 * Every host check shares the result through ctx.memo; a command that failed, timed
 * out or was never delivered (an instance SSM does not manage: Undeliverable) is an
 * outcome too, which each host check reports as its failure.
 */
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { VerifyContext } from '../verify/verify-context';
import type { HostLiveSettings } from './live-settings';

/** The IAM actions of the host checks. */
export const HOST_FACTS_IAM = ['ssm:SendCommand', 'ssm:GetCommandInvocation'] as const;

/** One line of `stat -c '%n|%U|%G|%a|%s|%h|%F'`, or `<path>|missing`. */
export type StatLine = string;

/** What the collector prints (see its header for each family). */
export interface HostFacts {
  readonly version: number;
  /** HTTP statuses of the metadata service: GET without a token, the token PUT, GET with the token. */
  readonly imds?: { readonly withoutToken: number; readonly tokenPut: number; readonly withToken: number };
  /** The live ruleset against the rendered file, both listed by the host's nft. */
  readonly ruleset?: { readonly state: 'equal' | 'differing' | 'no-file' | 'error'; readonly sha256?: string; readonly diffHead?: readonly string[]; readonly error?: string };
  /** Mounts under the read-only roots as the gateway sees them (`<path> <options>`), and the write test as the gateway user. */
  readonly agentFiles?: { readonly namespace: 'gateway' | 'host'; readonly mounts: readonly string[]; readonly writeRefused: number; readonly writable: readonly string[] };
  /** TCP listeners of the gateway's process or user. */
  readonly listeners?: { readonly gatewayPid: number; readonly addresses: readonly string[] };
  /** `openclaw security audit --deep --json`, summarized. */
  readonly audit?: {
    readonly critical?: number;
    readonly warn?: number;
    readonly info?: number;
    readonly findings?: readonly { readonly id: string; readonly severity: string; readonly detail: string }[];
    readonly error?: string;
  };
  readonly secretFiles?: readonly StatLine[];
  readonly dns?: { readonly allowed: NameAnswer; readonly denied: NameAnswer };
  /** `systemctl show -p ActiveState,Result,ExecMainStatus` per unit, and the retrieval's last OK/FAILED line. */
  readonly units?: { readonly units: Readonly<Record<string, string>>; readonly retrieval: string };
  readonly origin?: { readonly url: string; readonly status: number };
  /** The egress proxy: `systemctl is-active` of its unit, and the SHA-256 of its configuration file ('' when unreadable). */
  readonly proxy?: { readonly active: string; readonly sha256: string };
}

/** What `getent ahosts` answered for a name. */
export interface NameAnswer {
  readonly name: string;
  readonly resolves: boolean;
  /** The first address, when it resolves. @default none */
  readonly address?: string;
}

/** The facts, or why there are none. */
export type HostFactsOutcome =
  | { readonly ok: true; readonly instanceId: string; readonly facts: HostFacts }
  | { readonly ok: false; readonly instanceId: string; readonly evidence: string };

/** How the command is awaited. */
export interface HostFactsPolling {
  /** Between two GetCommandInvocation calls. */
  readonly intervalMs: number;
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_POLLING: HostFactsPolling = { intervalMs: 2_000, timeoutMs: 180_000 };

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The gateway instance's ID (the one AWS::EC2::Instance of the gateway stack). */
async function gatewayInstanceId(ctx: VerifyContext): Promise<string> {
  const instances = ctx.find('AWS::EC2::Instance', 'gateway');
  if (instances.length !== 1) throw new Error(`the gateway stack has ${instances.length} instances; expected 1`);
  return ctx.physicalId(instances[0]!);
}

/** The verification document's name, checked against the template and CloudFormation. */
async function documentName(ctx: VerifyContext, s: HostLiveSettings): Promise<string> {
  const doc = ctx.find('AWS::SSM::Document', 'gateway').find((d) => d.resource.Properties?.Name === s.documentName);
  if (!doc) throw new Error(`the gateway template has no SSM document ${s.documentName}`);
  return ctx.physicalId(doc);
}

async function collect(ctx: VerifyContext, s: HostLiveSettings, polling: HostFactsPolling): Promise<HostFactsOutcome> {
  const instanceId = await gatewayInstanceId(ctx);
  const ssm = ctx.client(SSMClient);
  const sent = await ssm.send(
    new SendCommandCommand({
      DocumentName: await documentName(ctx, s),
      // The newest version: the one the last deploy wrote (UpdateMethod NewVersion), whether or not it became the default.
      DocumentVersion: '$LATEST',
      InstanceIds: [instanceId],
      Parameters: { AllowedName: [s.parameters.AllowedName], DeniedName: [s.parameters.DeniedName] },
      Comment: 'npm run verify: host facts',
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) return { ok: false, instanceId, evidence: 'SendCommand returned no command ID' };
  const sleep = polling.sleep ?? realSleep;
  const deadline = Date.now() + polling.timeoutMs;
  // Set by every poll (or it throws) before the deadline is looked at.
  let last: string;
  for (;;) {
    await sleep(polling.intervalMs);
    try {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      last = `${inv.Status ?? '?'} (${inv.StatusDetails ?? '?'})`;
      if (inv.Status && TERMINAL.has(inv.Status)) {
        if (inv.Status !== 'Success') {
          const err = (inv.StandardErrorContent ?? '').trim().split('\n').slice(-2).join(' | ').slice(0, 200);
          return { ok: false, instanceId, evidence: `SSM command ${commandId} ${inv.Status}: ${inv.StatusDetails ?? ''}${err ? `; stderr: ${err}` : ''}` };
        }
        return parseFacts(instanceId, commandId, inv.StandardOutputContent ?? '');
      }
    } catch (e) {
      // Right after SendCommand the invocation may not exist yet.
      if ((e as { name?: string }).name !== 'InvocationDoesNotExist') throw e;
      last = 'InvocationDoesNotExist';
    }
    if (Date.now() >= deadline) return { ok: false, instanceId, evidence: `SSM command ${commandId} still ${last} after ${Math.round(polling.timeoutMs / 1000)} s` };
  }
}

/** The collector's last line that is a JSON object. */
export function parseFacts(instanceId: string, commandId: string, stdout: string): HostFactsOutcome {
  const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
  try {
    // A line that starts with `{` and parses is an object.
    const facts = JSON.parse(line ?? '') as HostFacts;
    if (facts.version !== 1) throw new Error('not a version 1 facts object');
    return { ok: true, instanceId, facts };
  } catch (e) {
    return { ok: false, instanceId, evidence: `SSM command ${commandId} printed no facts (${(e as Error).message}): ${stdout.slice(0, 160)}` };
  }
}

/** The host's facts, collected once per context. */
export function hostFacts(ctx: VerifyContext, polling: HostFactsPolling = DEFAULT_POLLING): Promise<HostFactsOutcome> {
  return ctx.memo('host-facts', () => collect(ctx, ctx.settings.host, polling));
}
