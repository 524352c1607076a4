/**
 * What the kill switch and its drills touch, layered over whatever fakes of
 * EC2, SSM and IAM are installed (it must be installed after them): the
 * gateway instances' states (world.state['ec2.instances']), the kill switch's
 * state parameter, the host role's attached policies. It answers only its own
 * commands and hands every other to the fake below it.
 *
 * Instances move through EC2's states as EC2 does: a stop goes to `stopping`
 * and settles `stopped` after `settleAfter` DescribeInstances of it; a start
 * goes `pending`, then `running` with status checks `initializing`, then `ok`.
 * `stuck` keeps an instance in its transition (an instance that never stops).
 */
import { DescribeInstancesCommand, DescribeInstanceStatusCommand, EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { AttachRolePolicyCommand, DetachRolePolicyCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FakeWorld, Restorable, ServiceFake } from './world';

export interface FakeInstance {
  /** EC2's state name: pending, running, stopping, stopped ... */
  state: string;
  /** DescribeInstances (or DescribeInstanceStatus) calls left before the transition settles. */
  settleIn: number;
  /** Instance and system status checks (while running). */
  statusChecks: 'ok' | 'initializing';
  /** Its tags, as the template gives them. */
  readonly tags: { Key: string; Value: string }[];
  /** Never leaves its transitional state. @default false */
  stuck?: boolean;
}

/** Polls a transition takes. */
export const SETTLE_AFTER = 2;

const CODES: Record<string, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };

/** The instances, by ID: every AWS::EC2::Instance of the templates, running. */
export function instances(world: FakeWorld): Map<string, FakeInstance> {
  let m = world.state['ec2.instances'] as Map<string, FakeInstance> | undefined;
  if (!m) {
    m = new Map();
    for (const r of world.resources('AWS::EC2::Instance')) {
      const tags = ((world.resolve(r.role, r.resource.Properties?.Tags ?? []) as { Key: string; Value: string }[] | undefined) ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
      m.set(world.physicalId(r.role, r.logicalId), { state: 'running', settleIn: 0, statusChecks: 'ok', tags });
    }
    world.state['ec2.instances'] = m;
  }
  return m;
}

/** SSM parameters written after the deploy, by name (the template's value until then). */
export function parameters(world: FakeWorld): Map<string, string> {
  return ((world.state['ssm.parameters'] as Map<string, string> | undefined) ??= new Map());
}

/** Managed policies attached to a role outside its template, by role name. */
export function attachedPolicies(world: FakeWorld): Map<string, Set<string>> {
  return ((world.state['iam.attached'] as Map<string, Set<string>> | undefined) ??= new Map());
}

function advance(i: FakeInstance): void {
  if (i.stuck || i.settleIn <= 0) return;
  i.settleIn -= 1;
  if (i.settleIn > 0) return;
  if (i.state === 'stopping') i.state = 'stopped';
  else if (i.state === 'pending') {
    i.state = 'running';
    i.statusChecks = 'initializing';
    i.settleIn = SETTLE_AFTER;
  } else if (i.state === 'running') i.statusChecks = 'ok';
}

/** A command class (its constructor is the key of a handler). */
type CommandClass = abstract new (...args: never[]) => unknown;
/** A handler; `below` asks the fake underneath (for answers this layer only amends). */
type Handler = (input: never, below: () => Promise<unknown>) => Promise<unknown>;
type Handlers = Map<CommandClass, Handler>;

/** Puts `handlers` in front of the current send of `cls` (a stub of another fake, or nothing). */
function layer(cls: { prototype: object }, handlers: Handlers): Restorable {
  const proto = cls.prototype as { send: (command: { input: unknown }, ...rest: unknown[]) => Promise<unknown> };
  const own = Object.getOwnPropertyDescriptor(proto, 'send');
  const below = own?.value as typeof proto.send | undefined;
  const wrapper = async function (this: unknown, command: { input: unknown; constructor: CommandClass }, ...rest: unknown[]) {
    const next = () => {
      if (below) return below.call(this, command, ...rest);
      throw new Error(`no fake answers ${command.constructor.name}`);
    };
    const h = handlers.get(command.constructor);
    return h ? h(command.input as never, next) : next();
  };
  Object.defineProperty(proto, 'send', { value: wrapper, writable: true, configurable: true });
  return {
    restore: () => {
      if (proto.send !== wrapper) return;
      if (own) Object.defineProperty(proto, 'send', own);
      else delete (proto as { send?: unknown }).send;
    },
  };
}

const notFoundInstance = (id: string) => Object.assign(new Error(`The instance ID '${id}' does not exist`), { name: 'InvalidInstanceID.NotFound', $metadata: { httpStatusCode: 400 } });

export const killWorldFake: ServiceFake = (world) => {
  const get = (id: string) => {
    const i = instances(world).get(id);
    if (!i) throw notFoundInstance(id);
    return i;
  };
  const describe = (id: string) => {
    const i = get(id);
    advance(i);
    return { InstanceId: id, State: { Code: CODES[i.state], Name: i.state }, Tags: i.tags };
  };
  const ec2: Handlers = new Map<CommandClass, Handler>([
    [
      DescribeInstancesCommand,
      // The EC2 fake below describes the instances as their templates make them; this layer moves
      // their state (a stop, a start) and applies tag filters, as DescribeInstances does.
      async (input: { InstanceIds?: string[]; Filters?: { Name: string; Values: string[] }[] }, below: () => Promise<unknown>) => {
        const ids = input.InstanceIds ?? [...instances(world).keys()];
        const tagFilters = (input.Filters ?? []).filter((f) => f.Name.startsWith('tag:'));
        const found = ids.map(describe).filter((i) => tagFilters.every((f) => i.Tags.some((t) => `tag:${t.Key}` === f.Name && f.Values.includes(t.Value))));
        const full = (await below().catch(() => undefined)) as { Reservations?: { Instances?: { InstanceId?: string }[] }[] } | undefined;
        const records = new Map((full?.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId, i] as const));
        const instancesOut = found.map((i) => ({ ...records.get(i.InstanceId), ...i }));
        return { Reservations: instancesOut.length ? [{ Instances: instancesOut }] : [] };
      },
    ],
    [
      DescribeInstanceStatusCommand,
      async (input: { InstanceIds?: string[] }) => ({
        InstanceStatuses: (input.InstanceIds ?? []).map((id) => {
          const i = get(id);
          advance(i);
          const status = i.state === 'running' ? i.statusChecks : 'not-applicable';
          return { InstanceId: id, InstanceState: { Code: CODES[i.state], Name: i.state }, InstanceStatus: { Status: status }, SystemStatus: { Status: status } };
        }),
      }),
    ],
    [
      StopInstancesCommand,
      async (input: { InstanceIds?: string[] }) => ({
        StoppingInstances: (input.InstanceIds ?? []).map((id) => {
          const i = get(id);
          const previous = i.state;
          if (i.state === 'running' || i.state === 'pending') Object.assign(i, { state: 'stopping', settleIn: SETTLE_AFTER });
          return { InstanceId: id, PreviousState: { Name: previous }, CurrentState: { Name: i.state } };
        }),
      }),
    ],
    [
      StartInstancesCommand,
      async (input: { InstanceIds?: string[] }) => ({
        StartingInstances: (input.InstanceIds ?? []).map((id) => {
          const i = get(id);
          const previous = i.state;
          if (i.state === 'stopped') Object.assign(i, { state: 'pending', settleIn: SETTLE_AFTER });
          return { InstanceId: id, PreviousState: { Name: previous }, CurrentState: { Name: i.state } };
        }),
      }),
    ],
  ]);
  const templateParameters = () =>
    new Map(world.resources('AWS::SSM::Parameter').map((r) => [String(world.properties(r).Name), String(world.properties(r).Value)] as const));
  const ssm: Handlers = new Map<CommandClass, Handler>([
    [
      GetParameterCommand,
      async (input: { Name?: string }) => {
        const name = input.Name ?? '';
        const value = parameters(world).get(name) ?? templateParameters().get(name);
        if (value === undefined) throw new ParameterNotFound({ message: `Parameter ${name} not found`, $metadata: { httpStatusCode: 400 } });
        return { Parameter: { Name: name, Type: 'String', Value: value, Version: 1 } };
      },
    ],
    [
      PutParameterCommand,
      async (input: { Name?: string; Value?: string }) => {
        parameters(world).set(input.Name ?? '', input.Value ?? '');
        return { Version: 2, Tier: 'Standard' };
      },
    ],
  ]);
  const iam: Handlers = new Map<CommandClass, Handler>([
    [
      AttachRolePolicyCommand,
      async (input: { RoleName?: string; PolicyArn?: string }) => {
        const set = attachedPolicies(world).get(input.RoleName ?? '') ?? new Set<string>();
        set.add(input.PolicyArn ?? '');
        attachedPolicies(world).set(input.RoleName ?? '', set);
        return {};
      },
    ],
    [
      DetachRolePolicyCommand,
      async (input: { RoleName?: string; PolicyArn?: string }) => {
        if (!attachedPolicies(world).get(input.RoleName ?? '')?.delete(input.PolicyArn ?? '')) {
          throw new NoSuchEntityException({ message: `Policy ${input.PolicyArn} was not found.`, $metadata: { httpStatusCode: 404 } });
        }
        return {};
      },
    ],
  ]);
  return [layer(EC2Client, ec2), layer(SSMClient, ssm), layer(IAMClient, iam)];
};
