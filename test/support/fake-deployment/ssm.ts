/**
 * SSM Run Command on the fake deployment: SendCommand accepts a document that
 * one of the templates defines and the gateway instance's ID, and returns a
 * command ID; GetCommandInvocation answers InProgress once, then the outcome:
 * by default Success with the facts of a correct host (./host-facts.ts) as
 * StandardOutputContent. A drift test sets world.state.host (FakeHostState);
 * world.state.ssmCommandsSent lists every SendCommand input.
 */
import { randomUUID } from 'crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { HostFacts } from '../../../lib/host/live-host-facts';
import { correctHostFacts } from './host-facts';
import type { FakeWorld, ServiceFake } from './world';

/** A drifted host, or a command that does not get through. */
export interface FakeHostState {
  /** Changes the facts a correct host would print. @default none */
  readonly drift?: (facts: HostFacts) => HostFacts;
  /** The invocation ends with this instead of Success (e.g. Failed / Undeliverable). @default Success */
  readonly outcome?: { readonly Status: string; readonly StatusDetails: string; readonly StandardErrorContent?: string };
  /** false: the instance is not a managed node (no SSM agent registered, or its role lacks SSM core). @default true */
  readonly managed?: boolean;
  /** The invocation never leaves InProgress. @default false */
  readonly hangs?: boolean;
}

const error = (name: string, message: string) => Object.assign(new Error(message), { name });

export const ssmFake: ServiceFake = (world: FakeWorld) => {
  const ssm = mockClient(SSMClient);
  const commands = new Map<string, { instanceId: string; documentName: string; parameters: Record<string, string[]>; polls: number }>();
  const documents = () => world.stacks.flatMap((s) => Object.values(s.template.Resources ?? {}).filter((r) => r.Type === 'AWS::SSM::Document').map((r) => (r.Properties as { Name?: string }).Name));
  const instances = () => world.resources('AWS::EC2::Instance').map((r) => world.physicalId(r.role, r.logicalId));
  ssm.on(SendCommandCommand).callsFake(async (input: { DocumentName?: string; DocumentVersion?: string; InstanceIds?: string[]; Parameters?: Record<string, string[]> }) => {
    if (!input.DocumentName || !documents().includes(input.DocumentName)) throw error('InvalidDocument', `Document ${input.DocumentName} does not exist in your account`);
    // SSM's DocumentVersion: $DEFAULT, $LATEST or a version number (the template's document is version 1 here).
    if (input.DocumentVersion !== undefined && !['$DEFAULT', '$LATEST', '1'].includes(input.DocumentVersion)) throw error('InvalidDocumentVersion', `The document version ${input.DocumentVersion} is not valid or does not exist.`);
    const ids = input.InstanceIds ?? [];
    const managed = ((world.state.host ?? {}) as FakeHostState).managed !== false;
    if (ids.length !== 1 || !instances().includes(ids[0]!) || !managed) throw error('InvalidInstanceId', `Instances [[${ids.join(', ')}]] not in a valid state for account ${world.account}`);
    const id = randomUUID();
    ((world.state.ssmCommandsSent ??= []) as unknown[]).push(input);
    commands.set(id, { instanceId: ids[0]!, documentName: input.DocumentName, parameters: input.Parameters ?? {}, polls: 0 });
    return { Command: { CommandId: id, DocumentName: input.DocumentName, InstanceIds: ids, Status: 'Pending' } };
  });
  ssm.on(GetCommandInvocationCommand).callsFake(async (input: { CommandId?: string; InstanceId?: string }) => {
    const c = commands.get(input.CommandId ?? '');
    if (!c || c.instanceId !== input.InstanceId) throw error('InvocationDoesNotExist', 'An error occurred (InvocationDoesNotExist)');
    const state = (world.state.host ?? {}) as FakeHostState;
    const base = { CommandId: input.CommandId, InstanceId: c.instanceId, DocumentName: c.documentName };
    if (c.polls++ === 0 || state.hangs) return { ...base, Status: 'InProgress', StatusDetails: 'InProgress', StandardOutputContent: '' };
    if (state.outcome) return { ...base, ...state.outcome, StandardOutputContent: '', ResponseCode: -1 };
    const facts = correctHostFacts(world, c.documentName, c.parameters);
    const out = JSON.stringify(state.drift ? state.drift(facts) : facts);
    // GetCommandInvocation returns at most the first 24,000 characters of the output.
    return { ...base, Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: `${out}\n`.slice(0, 24_000), StandardErrorContent: '' };
  });
  return [ssm];
};
