/**
 * `npm run restore -- --client <c> --env <e> --agent <id> --reason "<why>"`: restores one
 * agent's gateway after its breaker stopped it. Finds the deployment's gateway instance
 * (the one AWS::EC2::Instance of the `<name>-gateway` stack, CloudFormation
 * ListStackResources), sends it the deployment's own document `<name>-restore-agent` with
 * `agent` = the agent's gateway id (SSM SendCommand; the document admits only the
 * deployment's gateway ids, lib/spend/restore-agent-document.ts) and waits for its result
 * (GetCommandInvocation). The operator needs cloudformation:ListStackResources on the gateway
 * stack, ssm:SendCommand on the instance and the document, ssm:GetCommandInvocation: the
 * break-glass role's policy (lib/access/operator-access.ts) grants SendCommand of this document.
 */
import { type CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
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
  /** SSM's final status: Success, Failed, Cancelled, TimedOut (or the last one seen when it gave up). */
  readonly status: string;
  readonly output: string;
}

export interface RestoreAgentRequest {
  readonly agent: string;
  readonly reason: string;
  readonly requestedBy: string;
}

const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut', 'Cancelling']);

/** The gateway instance of a deployment, from its gateway stack. */
export async function gatewayInstanceId(cfn: CloudFormationClient, config: ResolvedConfig): Promise<string> {
  const stack = `${deploymentName(config)}-gateway`;
  const found: string[] = [];
  for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack })) {
    for (const r of page.StackResourceSummaries ?? []) if (r.ResourceType === 'AWS::EC2::Instance' && r.PhysicalResourceId) found.push(r.PhysicalResourceId);
  }
  if (found.length !== 1) throw new Error(`${stack} has ${found.length} EC2 instances; expected 1 (deployed?)`);
  return found[0]!;
}

/** Sends the restore document for `request.agent`'s gateway and waits for it (polling every `intervalMs`, up to `timeoutMs`). */
export async function restoreAgent(
  clients: { readonly cfn: CloudFormationClient; readonly ssm: SSMClient },
  config: ResolvedConfig,
  request: RestoreAgentRequest,
  polling: { readonly intervalMs: number; readonly timeoutMs: number } = { intervalMs: 2_000, timeoutMs: 120_000 },
): Promise<RestoreAgentResult> {
  const gateway = gatewayOfAgent(config, request.agent);
  const instanceId = await gatewayInstanceId(clients.cfn, config);
  const sent = await clients.ssm.send(
    new SendCommandCommand({
      DocumentName: restoreAgentDocumentName(deploymentName(config)),
      InstanceIds: [instanceId],
      Parameters: { [RESTORE_AGENT_PARAMETER]: [gateway.id] },
      // SSM bounds the comment at 100 characters.
      Comment: `restore ${gateway.id}: ${request.reason} (${request.requestedBy})`.slice(0, 100),
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
