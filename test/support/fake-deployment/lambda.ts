/**
 * Lambda of the fake deployment: the functions of the templates, Active and
 * Successful, no reserved concurrency (none is in the templates). Invoke runs
 * the function's REAL code in-process for the functions this fake knows the
 * code of (the kill switch, lambda/kill-switch/index.ts), with the
 * environment its template gives it, so that its SDK calls are answered by the
 * world's other fakes and what it returns is what the deployed code would.
 * Drift: world.state['lambda.functions'] (functionDrift) by function name.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import type { FakeWorld, ServiceFake, WorldResource } from './world';

/** What a drift test changes on one function. */
export interface FunctionDrift {
  /** Fields of GetFunctionConfiguration (State, LastUpdateStatus ...). */
  readonly config?: Partial<FunctionConfiguration>;
  /** Environment variables replaced (or added) on the live function. */
  readonly environment?: Record<string, string>;
  /** PutFunctionConcurrency was called with this (0 throttles every invocation). */
  readonly reservedConcurrency?: number;
}

export function functionDrift(world: FakeWorld): Map<string, FunctionDrift> {
  return ((world.state['lambda.functions'] as Map<string, FunctionDrift> | undefined) ??= new Map());
}

type Handler = (event: unknown) => Promise<unknown>;

/** The code of the functions this fake runs, by function name suffix. */
const CODE: readonly { readonly suffix: string; readonly load: () => Promise<Handler> }[] = [
  { suffix: '-kill-switch', load: async () => (await import('../../../lambda/kill-switch')).handler as Handler },
];

interface LiveFunction {
  readonly r: WorldResource;
  readonly name: string;
  readonly arn: string;
  readonly region: string;
}

function functions(world: FakeWorld): LiveFunction[] {
  return world.resources('AWS::Lambda::Function').map((r) => {
    const name = world.physicalId(r.role, r.logicalId);
    const region = world.stack(r.role).region;
    return { r, name, region, arn: `arn:aws:lambda:${region}:${world.account}:function:${name}` };
  });
}

function find(world: FakeWorld, nameOrArn: string, region?: string): LiveFunction {
  const f = functions(world).find((x) => (x.name === nameOrArn || x.arn === nameOrArn) && (region === undefined || x.region === region));
  if (!f) throw new ResourceNotFoundException({ message: `Function not found: ${nameOrArn}`, $metadata: { httpStatusCode: 404 } });
  return f;
}

function environmentOf(world: FakeWorld, f: LiveFunction): Record<string, string> {
  const env = ((world.properties(f.r).Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {}) as Record<string, string>;
  return { ...env, ...functionDrift(world).get(f.name)?.environment };
}

function configurationOf(world: FakeWorld, f: LiveFunction): FunctionConfiguration {
  const p = world.properties(f.r);
  return {
    FunctionName: f.name,
    FunctionArn: f.arn,
    Runtime: p.Runtime as FunctionConfiguration['Runtime'],
    Handler: p.Handler as string,
    Timeout: p.Timeout as number,
    MemorySize: p.MemorySize as number,
    Environment: { Variables: environmentOf(world, f) },
    State: 'Active',
    LastUpdateStatus: 'Successful',
    ...functionDrift(world).get(f.name)?.config,
  };
}

/** process.env is one for the process: one invocation at a time. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs the function's code with its environment; throws what it throws. */
async function run(world: FakeWorld, f: LiveFunction, event: unknown): Promise<unknown> {
  const code = CODE.find((c) => f.name.endsWith(c.suffix));
  if (!code) throw new Error(`the fake deployment does not run the code of ${f.name}`);
  if (functionDrift(world).get(f.name)?.reservedConcurrency === 0) {
    throw Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
  }
  const handler = await code.load();
  const turn = queue.then(async () => {
    const saved = { ...process.env };
    Object.assign(process.env, environmentOf(world, f), { AWS_REGION: f.region, AWS_LAMBDA_FUNCTION_NAME: f.name });
    try {
      return await handler(event);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });
  queue = turn.catch(() => undefined);
  return turn;
}

/** SNS delivering to a function (an Event invocation): errors are Lambda's to retry, not the publisher's. */
export function deliverToFunction(world: FakeWorld, functionArn: string, event: unknown): Promise<unknown> {
  return run(world, find(world, functionArn), event).catch((e: unknown) => ({ failed: e }));
}

export const lambdaFake: ServiceFake = (world) => {
  const lambda = mockClient(LambdaClient);
  const regionOf = async (getClient: () => LambdaClient) => getClient().config.region();
  lambda.on(GetFunctionConfigurationCommand).callsFake(async (input: { FunctionName?: string }, getClient: () => LambdaClient) =>
    configurationOf(world, find(world, input.FunctionName ?? '', await regionOf(getClient))),
  );
  lambda.on(GetFunctionConcurrencyCommand).callsFake(async (input: { FunctionName?: string }, getClient: () => LambdaClient) => {
    const f = find(world, input.FunctionName ?? '', await regionOf(getClient));
    const reserved = functionDrift(world).get(f.name)?.reservedConcurrency;
    // No reserved concurrency: the response has no ReservedConcurrentExecutions.
    return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
  });
  lambda.on(InvokeCommand).callsFake(async (input: { FunctionName?: string; Payload?: Uint8Array; InvocationType?: string }, getClient: () => LambdaClient) => {
    const f = find(world, input.FunctionName ?? '', await regionOf(getClient));
    const event: unknown = input.Payload ? JSON.parse(new TextDecoder().decode(input.Payload)) : {};
    if (input.InvocationType === 'Event') {
      void deliverToFunction(world, f.arn, event);
      return { StatusCode: 202 };
    }
    try {
      const out = await run(world, f, event);
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(out ?? null)) };
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TooManyRequestsException') throw err;
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode(JSON.stringify({ errorType: err.name, errorMessage: err.message })) };
    }
  });
  return [lambda];
};
