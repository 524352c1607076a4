/**
 * What `npm run kill` / `restore` / `status` send to the kill switch
 * (lambda/kill-switch/triggers.ts accepts exactly these keys), and how they
 * invoke it: the Lambda `<prefix>-<client>-<env>-kill-switch` in the
 * deployment's region, synchronously, with the operator's own AWS
 * credentials. Nothing of the agent system is involved.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ResolvedConfig } from '../config/schema';
import { deploymentName } from '../shared/naming';

export type KillSwitchAction = 'kill' | 'restore' | 'status';

export interface KillSwitchRequest {
  readonly action: KillSwitchAction;
  readonly reason: string;
  readonly requestedBy: string;
  readonly dryRun?: boolean;
}

export const killSwitchFunctionName = (config: ResolvedConfig) => `${deploymentName(config)}-kill-switch`;

export interface KillSwitchResult {
  /** The function's answer (its summary), parsed. */
  readonly summary: unknown;
  /** Set when the function threw (an incomplete kill or restore): its error message. */
  readonly error?: string;
}

/** Invokes the kill switch and waits for its answer. */
export function invokeKillSwitch(client: LambdaClient, config: ResolvedConfig, request: KillSwitchRequest): Promise<KillSwitchResult> {
  return invokeKillSwitchFunction(client, killSwitchFunctionName(config), request);
}

/** Invokes the kill switch `functionName` (npm run verify's drills know it from their settings) and waits for its answer. */
export async function invokeKillSwitchFunction(client: LambdaClient, functionName: string, request: KillSwitchRequest): Promise<KillSwitchResult> {
  const out = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(request)),
    }),
  );
  const text = out.Payload ? new TextDecoder().decode(out.Payload) : 'null';
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (out.FunctionError) {
    const message = (body as { errorMessage?: string } | null)?.errorMessage ?? String(text);
    return { summary: body, error: message };
  }
  return { summary: body };
}
