/**
 * `npm run restore -- --client <c> --env <e> --agent <id> --reason "<why>"`: restores one
 * agent's gateway after its breaker stopped it. Finds the deployment's gateway instance (EC2
 * DescribeInstances, filtered on the tag aws:cloudformation:stack-name = `<name>-gateway` that
 * CloudFormation puts on every instance of a stack, and on a state that is not terminated or
 * shutting down: a replaced host lingers as terminated for a while), sends it the deployment's
 * own document `<name>-restore-agent` with `agent` = the agent's gateway id (SSM SendCommand;
 * the document admits only the deployment's gateway ids, lib/spend/restore-agent-document.ts),
 * at its latest version (`$LATEST`: the version a deploy that added the agent created, even if
 * the default version were not moved), and waits for its result (GetCommandInvocation). The
 * calls are RESTORE_AGENT_CALLS, all in the break-glass role's two policies
 * (lib/access/operator-access.ts): the operator needs nothing else.
 */
import { type EC2Client, paginateDescribeInstances } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ResolvedConfig } from '../config/schema';
import { gatewayOfAgent } from '../openclaw/gateways';
import { deploymentName } from '../shared/naming';
import { RESTORE_AGENT_PARAMETER, restoreAgentDocumentName } from './restore-agent-document';

/** What the restore did. */
export interface RestoreAgentResult {
  readonly gateway: string;
  readonly instanceId: string;
  readonly commandId: string;
  /**
   * SSM's status when the wait ended: a final one (Success, Failed, Cancelled, TimedOut), Cancelling
   * (a cancel under way: the command will not succeed), or the last one seen when it gave up.
   */
  readonly status: string;
  readonly output: string;
}

export interface RestoreAgentRequest {
  readonly agent: string;
  readonly reason: string;
  readonly requestedBy: string;
}

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);

/** The calls `npm run restore -- --agent` makes, in order (IAM action names). */
export const RESTORE_AGENT_CALLS = ['ec2:DescribeInstances', 'ssm:SendCommand', 'ssm:GetCommandInvocation'] as const;

/** The tag CloudFormation puts on every instance of a stack: its stack's name. */
export const STACK_NAME_TAG = 'aws:cloudformation:stack-name';
/** Instance states of a host that exists (not terminated, not shutting down). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** The gateway instance of a deployment: the one live instance of its gateway stack. */
export async function gatewayInstanceId(ec2: EC2Client, config: ResolvedConfig): Promise<string> {
  const stack = `${deploymentName(config)}-gateway`;
  const found: string[] = [];
  const filters = [
    { Name: `tag:${STACK_NAME_TAG}`, Values: [stack] },
    { Name: 'instance-state-name', Values: LIVE_STATES },
  ];
  // Paged (MaxResults), as AWS recommends for DescribeInstances: a request without it is answered whole or times out.
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, { Filters: filters })) {
    for (const reservation of page.Reservations ?? []) for (const i of reservation.Instances ?? []) if (i.InstanceId) found.push(i.InstanceId);
  }
  if (found.length !== 1) throw new Error(`${stack} has ${found.length} live EC2 instances (${found.join(', ') || 'none'}); expected 1 (deployed? being replaced?)`);
  return found[0]!;
}

/** Sends the restore document for `request.agent`'s gateway and waits for it (polling every `intervalMs`, up to `timeoutMs`). */
export async function restoreAgent(
  clients: { readonly ec2: EC2Client; readonly ssm: SSMClient },
  config: ResolvedConfig,
  request: RestoreAgentRequest,
  polling: { readonly intervalMs: number; readonly timeoutMs: number } = { intervalMs: 2_000, timeoutMs: 120_000 },
): Promise<RestoreAgentResult> {
  const gateway = gatewayOfAgent(config, request.agent);
  const instanceId = await gatewayInstanceId(clients.ec2, config);
  const sent = await clients.ssm.send(
    new SendCommandCommand({
      DocumentName: restoreAgentDocumentName(deploymentName(config)),
      DocumentVersion: '$LATEST',
      InstanceIds: [instanceId],
      Parameters: { [RESTORE_AGENT_PARAMETER]: [gateway.id] },
      // SSM bounds the comment at 100 characters (cut by code point: never half a surrogate pair).
      Comment: Array.from(`restore ${gateway.id}: ${request.reason} (${request.requestedBy})`).slice(0, 100).join(''),
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error('SendCommand returned no command id');
  const deadline = Date.now() + polling.timeoutMs;
  let status = 'Pending';
  let output = '';
  for (;;) {
    try {
      const inv = await clients.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      status = inv.Status ?? status;
      output = `${inv.StandardOutputContent ?? ''}${inv.StandardErrorContent ?? ''}`;
      if (TERMINAL.has(status)) break;
    } catch (e) {
      // Right after SendCommand the invocation may not exist yet.
      if ((e as { name?: string }).name !== 'InvocationDoesNotExist') throw e;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, polling.intervalMs));
  }
  return { gateway: gateway.id, instanceId, commandId, status, output };
}
