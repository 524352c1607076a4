/**
 * Evaluates IAM policies the way AWS does for a request within one account,
 * so tests assert who may call what on which ARN instead of counting
 * statements:
 *
 *   evaluate({ principalArn, action, resource, context }, { identity, resource })
 *     -> 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'
 *
 * 1. Any matching Deny, in an identity policy or the resource policy, wins.
 * 2. Otherwise Allow when an identity policy allows, or the resource policy
 *    allows the principal itself (its ARN, "*" or its service).
 *    A resource-policy Allow naming only the principal's ACCOUNT (the account
 *    id or arn:...:root) grants nothing by itself: it delegates to the
 *    account's identity policies (AWS semantics).
 *    KMS keys (resource arn:...:kms:...:key/...) differ: identity policies
 *    count only when the key policy delegates to the account for the request;
 *    a key always has a key policy.
 * 3. Otherwise ImplicitDeny.
 *
 * A resource-policy statement without Resource/NotResource applies to the
 * resource it is attached to; identity statements need one. Condition keys
 * are case-insensitive; a multi-valued context key needs ForAnyValue: or
 * ForAllValues: (else throws).
 *
 * Not modelled (each throws rather than guess): cross-account requests,
 * permissions boundaries, SCPs, session policies, policy variables (${...}),
 * Federated/CanonicalUser principals, NotPrincipal with Allow, condition
 * operators other than those listed in OPERATORS.
 *
 * The helpers at the end collect a role's identity policies and a secret's or
 * KMS key's resource policy from a synthesized template, with intrinsics
 * resolved (test/support/iam-intrinsics.ts).
 */
import {
  contextFor,
  refOf,
  resolveIntrinsics,
  type CfnTemplate,
  type IntrinsicContext,
  type TemplateContextOptions,
} from './iam-intrinsics';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export type ConditionValue = string | boolean | number;
export type StringOrList = string | readonly string[];
export type PrincipalElement = '*' | { readonly [kind: string]: StringOrList };

export interface Statement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource?: StringOrList;
  readonly NotResource?: StringOrList;
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  /** operator -> condition key -> value(s). */
  readonly Condition?: { readonly [operator: string]: { readonly [key: string]: ConditionValue | readonly ConditionValue[] } };
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: Statement | readonly Statement[];
}

export interface AccessRequest {
  /** An IAM role, user or account root ARN, or a service principal (e.g. logs.eu-west-1.amazonaws.com). */
  readonly principalArn: string;
  /** service:Action, no wildcards. */
  readonly action: string;
  /** The resource ARN, or "*" for actions without resource types. */
  readonly resource: string;
  /**
   * Request context keys (case-insensitive), e.g. kms:ViaService,
   * kms:ResourceAliases (a list), aws:SourceArn. aws:PrincipalArn,
   * aws:PrincipalAccount, aws:PrincipalType, aws:PrincipalIsAWSService and
   * aws:PrincipalServiceName are filled from principalArn.
   */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface Policies {
  /** The principal's identity policies (none for a service principal or the account root). */
  readonly identity: readonly PolicyDocument[];
  /** The resource's policy (secret resource policy, KMS key policy, ...). */
  readonly resource?: PolicyDocument;
}

/** A statement that applied to the request, for messages. */
export interface MatchedStatement {
  /** identity[<n>] or resource */
  readonly policy: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** For resource-policy statements: whether they named the principal itself or only its account. */
  readonly via?: 'principal' | 'account';
}

export interface Explanation {
  readonly decision: Decision;
  readonly matched: readonly MatchedStatement[];
}

class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

// ---------------------------------------------------------------------------
// Principals

type RequestPrincipal =
  | { readonly kind: 'iam'; readonly arn: string; readonly account: string; readonly isRoot: boolean; readonly type: 'Account' | 'AssumedRole' | 'User' }
  | { readonly kind: 'service'; readonly name: string };

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):(root|role\/.+|user\/.+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const ACCOUNT_ROOT = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

function parseRequestPrincipal(principalArn: string): RequestPrincipal {
  if (SERVICE_PRINCIPAL.test(principalArn)) return { kind: 'service', name: principalArn };
  const m = IAM_PRINCIPAL.exec(principalArn);
  if (!m) {
    throw new PolicyError(
      `principalArn "${principalArn}": expected arn:aws:iam::<account>:role/..., user/... or root, or a service principal (for an STS session, pass its role's ARN)`,
    );
  }
  const rest = m[2]!;
  return { kind: 'iam', arn: principalArn, account: m[1]!, isRoot: rest === 'root', type: rest === 'root' ? 'Account' : rest.startsWith('role/') ? 'AssumedRole' : 'User' };
}

type PrincipalMatch = 'principal' | 'account' | 'none';

const listOf = (value: unknown, what: string): string[] => {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string')) {
    throw new PolicyError(`${what}: expected a string or a non-empty list of strings, found ${JSON.stringify(value)}`);
  }
  return list as string[];
};

/** What each entry of a Principal/NotPrincipal element names. */
interface PrincipalEntry {
  readonly kind: 'any' | 'account' | 'arn' | 'service';
  readonly value: string;
}

function principalEntries(element: unknown, where: string): PrincipalEntry[] {
  if (element === '*') return [{ kind: 'any', value: '*' }];
  if (element === null || typeof element !== 'object' || Array.isArray(element)) {
    throw new PolicyError(`${where}: expected "*" or an object such as { AWS: ... } or { Service: ... }, found ${JSON.stringify(element)}`);
  }
  const entries: PrincipalEntry[] = [];
  for (const [kind, raw] of Object.entries(element)) {
    const values = listOf(raw, `${where}.${kind}`);
    if (kind === 'AWS') {
      for (const v of values) {
        if (v === '*') entries.push({ kind: 'any', value: v });
        else if (/^\d{12}$/.test(v)) entries.push({ kind: 'account', value: v });
        else if (ACCOUNT_ROOT.test(v)) entries.push({ kind: 'account', value: ACCOUNT_ROOT.exec(v)![1]! });
        else if (/[*?]/.test(v)) throw new PolicyError(`${where}: wildcards in a principal ARN are not allowed: ${v}`);
        else if (/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/.test(v)) entries.push({ kind: 'arn', value: v });
        else throw new PolicyError(`${where}: not an account id or IAM/STS ARN: ${v}`);
      }
    } else if (kind === 'Service') {
      for (const v of values) {
        if (!SERVICE_PRINCIPAL.test(v)) throw new PolicyError(`${where}: not a service principal: ${v}`);
        entries.push({ kind: 'service', value: v });
      }
    } else {
      throw new PolicyError(`${where}: principal type ${kind} is not supported (AWS and Service are)`);
    }
  }
  return entries;
}

function matchPrincipal(entries: readonly PrincipalEntry[], p: RequestPrincipal): PrincipalMatch {
  let best: PrincipalMatch = 'none';
  for (const e of entries) {
    if (e.kind === 'any') return 'principal';
    if (e.kind === 'service' && p.kind === 'service' && e.value === p.name) return 'principal';
    if (e.kind === 'arn' && p.kind === 'iam' && e.value === p.arn) return 'principal';
    if (e.kind === 'account' && p.kind === 'iam' && e.value === p.account) {
      if (p.isRoot) return 'principal';
      best = 'account';
    }
  }
  return best;
}

/**
 * NotPrincipal: a request is evaluated as coming from the principal and from
 * its account, so an IAM principal is excluded only when both its ARN and its
 * account are listed (the account root: its account).
 */
function excludedByNotPrincipal(entries: readonly PrincipalEntry[], p: RequestPrincipal): boolean {
  if (entries.some((e) => e.kind === 'any')) return true;
  if (p.kind === 'service') return entries.some((e) => e.kind === 'service' && e.value === p.name);
  const accountListed = entries.some((e) => e.kind === 'account' && e.value === p.account);
  return accountListed && (p.isRoot || entries.some((e) => e.kind === 'arn' && e.value === p.arn));
}

// ---------------------------------------------------------------------------
// Wildcards

const globCache = new Map<string, RegExp>();
function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    globCache.set(key, re);
  }
  return re;
}

const globMatch = (pattern: string, value: string, caseInsensitive = false) => glob(pattern, caseInsensitive).test(value);

/** ArnLike/ArnEquals: each of the six colon-separated parts matched on its own. */
function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const parts = (s: string) => {
    const all = s.split(':');
    return all.length < 6 ? undefined : [...all.slice(0, 5), all.slice(5).join(':')];
  };
  const p = parts(pattern);
  const v = parts(value);
  if (!p || !v) return globMatch(pattern, value);
  return p.every((seg, i) => globMatch(seg, v[i]!));
}

const noPolicyVariables = (value: string, where: string) => {
  if (value.includes('${')) throw new PolicyError(`${where}: policy variables are not supported: ${value}`);
  return value;
};

// ---------------------------------------------------------------------------
// Conditions

type Compare = (contextValue: string, conditionValue: string, where: string) => boolean;

const number = (s: string, where: string) => {
  const n = Number(s);
  if (s.trim() === '' || Number.isNaN(n)) throw new PolicyError(`${where}: not a number: ${JSON.stringify(s)}`);
  return n;
};
const date = (s: string, where: string) => {
  const n = /^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s);
  if (Number.isNaN(n)) throw new PolicyError(`${where}: not a date: ${JSON.stringify(s)}`);
  return n;
};
const bool = (s: string, where: string) => {
  const l = s.toLowerCase();
  if (l !== 'true' && l !== 'false') throw new PolicyError(`${where}: not true or false: ${JSON.stringify(s)}`);
  return l === 'true';
};

/** Positive operators; a negated one is "none of the values matches" (NEGATED). */
const OPERATORS: Record<string, Compare> = {
  StringEquals: (v, c) => v === c,
  StringEqualsIgnoreCase: (v, c) => v.toLowerCase() === c.toLowerCase(),
  StringLike: (v, c) => globMatch(c, v),
  ArnEquals: (v, c) => arnMatch(c, v),
  ArnLike: (v, c) => arnMatch(c, v),
  NumericEquals: (v, c, w) => number(v, w) === number(c, w),
  NumericLessThan: (v, c, w) => number(v, w) < number(c, w),
  NumericLessThanEquals: (v, c, w) => number(v, w) <= number(c, w),
  NumericGreaterThan: (v, c, w) => number(v, w) > number(c, w),
  NumericGreaterThanEquals: (v, c, w) => number(v, w) >= number(c, w),
  DateEquals: (v, c, w) => date(v, w) === date(c, w),
  DateLessThan: (v, c, w) => date(v, w) < date(c, w),
  DateLessThanEquals: (v, c, w) => date(v, w) <= date(c, w),
  DateGreaterThan: (v, c, w) => date(v, w) > date(c, w),
  DateGreaterThanEquals: (v, c, w) => date(v, w) >= date(c, w),
  Bool: (v, c, w) => bool(v, w) === bool(c, w),
};

/** Negated operator -> its positive form. */
const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  ArnNotEquals: 'ArnEquals',
  ArnNotLike: 'ArnLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
};

interface ParsedOperator {
  readonly name: string;
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
  readonly compare?: Compare;
  readonly negated: boolean;
  readonly isNull: boolean;
}

function parseOperator(raw: string, where: string): ParsedOperator {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(raw);
  if (!m) throw new PolicyError(`${where}: unknown condition operator ${raw}`);
  const qualifier = m[1] as ParsedOperator['qualifier'];
  const base = m[2]!;
  const ifExists = m[3] !== undefined;
  if (base === 'Null') {
    if (qualifier || ifExists) throw new PolicyError(`${where}: ${raw}: Null takes no set qualifier and no IfExists`);
    return { name: raw, ifExists, negated: false, isNull: true };
  }
  const positive = NEGATED[base] ?? base;
  const compare = OPERATORS[positive];
  if (!compare) throw new PolicyError(`${where}: unknown condition operator ${raw}`);
  return { name: raw, qualifier, ifExists, compare, negated: positive !== base, isNull: false };
}

type RequestContext = ReadonlyMap<string, readonly string[] | string>;

function conditionValues(raw: unknown, where: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError(`${where}: empty list of values`);
  return list.map((v) => {
    if (typeof v === 'string') return noPolicyVariables(v, where);
    if (typeof v === 'boolean' || typeof v === 'number') return String(v);
    throw new PolicyError(`${where}: condition values must be strings, booleans or numbers, found ${JSON.stringify(v)}`);
  });
}

function evaluateCondition(op: ParsedOperator, key: string, values: readonly string[], ctx: RequestContext, where: string): boolean {
  const present = ctx.get(key.toLowerCase());
  if (op.isNull) {
    return values.some((v) => bool(v, where) === (present === undefined));
  }
  const compare = op.compare!;
  // One context value against the condition's values: OR; a negated operator matches none.
  const single = (v: string) => {
    const any = values.some((c) => compare(v, c, where));
    return op.negated ? !any : any;
  };
  if (present === undefined) {
    if (op.ifExists) return true;
    if (op.qualifier === 'ForAllValues') return true;
    if (op.qualifier === 'ForAnyValue') return false;
    return op.negated;
  }
  const set = typeof present === 'string' ? [present] : present;
  if (op.qualifier === 'ForAnyValue') return set.some(single);
  if (op.qualifier === 'ForAllValues') return set.every(single);
  if (set.length !== 1) {
    throw new PolicyError(`${where}: context key ${key} has ${set.length} values; a multi-valued key needs ForAnyValue: or ForAllValues:`);
  }
  return single(set[0]!);
}

function conditionsMatch(condition: unknown, ctx: RequestContext, where: string): boolean {
  if (condition === undefined) return true;
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) throw new PolicyError(`${where}.Condition: expected an object`);
  // Parse everything first, so a malformed block throws even when an earlier one is false.
  const checks = Object.entries(condition).flatMap(([opName, block]) => {
    const w = `${where}.Condition.${opName}`;
    const op = parseOperator(opName, w);
    if (block === null || typeof block !== 'object' || Array.isArray(block) || Object.keys(block).length === 0) {
      throw new PolicyError(`${w}: expected an object of condition keys`);
    }
    return Object.entries(block).map(([key, raw]) => ({ op, key, values: conditionValues(raw, `${w}.${key}`), w: `${w}.${key}` }));
  });
  return checks.every(({ op, key, values, w }) => evaluateCondition(op, key, values, ctx, w));
}

// ---------------------------------------------------------------------------
// Statements

interface ParsedStatement {
  readonly where: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly resources?: { readonly not: boolean; readonly patterns: readonly string[] };
  readonly principal?: { readonly not: boolean; readonly entries: readonly PrincipalEntry[] };
  readonly condition?: unknown;
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const ACTION_PATTERN = /^(\*|[a-z0-9-]+:[a-z0-9*?]+)$/i;

function exactlyOne(s: Record<string, unknown>, a: string, b: string, where: string): [string, unknown] | undefined {
  if (s[a] !== undefined && s[b] !== undefined) throw new PolicyError(`${where}: both ${a} and ${b}`);
  if (s[a] !== undefined) return [a, s[a]];
  if (s[b] !== undefined) return [b, s[b]];
  return undefined;
}

function parseStatement(raw: unknown, where: string, kind: 'identity' | 'resource'): ParsedStatement {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new PolicyError(`${where}: a statement must be an object`);
  const s = raw as Record<string, unknown>;
  const sid = typeof s.Sid === 'string' ? s.Sid : undefined;
  const w = sid ? `${where} (${sid})` : where;
  for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) throw new PolicyError(`${w}: unknown statement key ${k}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`${w}: Effect must be Allow or Deny, found ${JSON.stringify(s.Effect)}`);

  const action = exactlyOne(s, 'Action', 'NotAction', w);
  if (!action) throw new PolicyError(`${w}: no Action or NotAction`);
  const actionPatterns = listOf(action[1], `${w}.${action[0]}`);
  for (const a of actionPatterns) if (!ACTION_PATTERN.test(a)) throw new PolicyError(`${w}.${action[0]}: not an action: ${JSON.stringify(a)}`);

  const resource = exactlyOne(s, 'Resource', 'NotResource', w);
  if (!resource && kind === 'identity') throw new PolicyError(`${w}: no Resource or NotResource`);
  const resourcePatterns = resource ? listOf(resource[1], `${w}.${resource[0]}`) : undefined;
  for (const r of resourcePatterns ?? []) {
    noPolicyVariables(r, `${w}.${resource![0]}`);
    if (r !== '*' && !r.startsWith('arn:')) throw new PolicyError(`${w}.${resource![0]}: not an ARN or "*": ${JSON.stringify(r)}`);
  }

  const principal = exactlyOne(s, 'Principal', 'NotPrincipal', w);
  if (kind === 'identity' && principal) throw new PolicyError(`${w}: ${principal[0]} in an identity policy`);
  if (kind === 'resource' && !principal) throw new PolicyError(`${w}: a resource policy statement needs Principal or NotPrincipal`);
  if (principal?.[0] === 'NotPrincipal' && s.Effect === 'Allow') throw new PolicyError(`${w}: NotPrincipal with Allow is not supported`);

  return {
    where: w,
    sid,
    effect: s.Effect,
    actions: { not: action[0] === 'NotAction', patterns: actionPatterns },
    resources: resource && { not: resource[0] === 'NotResource', patterns: resourcePatterns! },
    principal: principal && { not: principal[0] === 'NotPrincipal', entries: principalEntries(principal[1], `${w}.${principal[0]}`) },
    condition: s.Condition,
  };
}

function parseDocument(doc: unknown, where: string, kind: 'identity' | 'resource'): ParsedStatement[] {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PolicyError(`${where}: a policy document must be an object`);
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!['Version', 'Id', 'Statement'].includes(k)) throw new PolicyError(`${where}: unknown document key ${k}`);
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') throw new PolicyError(`${where}: unknown Version ${JSON.stringify(d.Version)}`);
  if (d.Statement === undefined) throw new PolicyError(`${where}: no Statement`);
  const statements = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  return statements.map((s, i) => parseStatement(s, `${where}.Statement[${i}]`, kind));
}

function actionAndResourceMatch(s: ParsedStatement, request: AccessRequest): boolean {
  const actionHit = s.actions.patterns.some((p) => globMatch(p, request.action, true));
  if (actionHit === s.actions.not) return false;
  if (s.resources) {
    const resourceHit = s.resources.patterns.some((p) => globMatch(p, request.resource));
    if (resourceHit === s.resources.not) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Evaluation

function requestContext(request: AccessRequest, p: RequestPrincipal): RequestContext {
  const auto: Record<string, string> =
    p.kind === 'iam'
      ? { 'aws:PrincipalArn': p.arn, 'aws:PrincipalAccount': p.account, 'aws:PrincipalType': p.type, 'aws:PrincipalIsAWSService': 'false' }
      : { 'aws:PrincipalServiceName': p.name, 'aws:PrincipalIsAWSService': 'true' };
  const ctx = new Map<string, readonly string[] | string>();
  for (const [k, v] of Object.entries(auto)) ctx.set(k.toLowerCase(), v);
  for (const [k, v] of Object.entries(request.context ?? {})) {
    const key = k.toLowerCase();
    const existing = ctx.get(key);
    if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(v)) {
      throw new PolicyError(`context ${k}: ${JSON.stringify(v)} contradicts ${JSON.stringify(existing)} derived from principalArn`);
    }
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) {
      throw new PolicyError(`context ${k}: expected a string or a list of strings`);
    }
    ctx.set(key, v);
  }
  return ctx;
}

const KMS_KEY = /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:key\//;

/** The decision and the statements that applied. */
export function explain(request: AccessRequest, policies: Policies): Explanation {
  if (!/^[a-z0-9-]+:[a-z0-9]+$/i.test(request.action)) throw new PolicyError(`action "${request.action}": expected service:Action without wildcards`);
  if (request.resource !== '*' && !request.resource.startsWith('arn:')) throw new PolicyError(`resource "${request.resource}": expected an ARN or "*"`);
  const principal = parseRequestPrincipal(request.principalArn);
  const isKmsKey = KMS_KEY.test(request.resource);
  if (principal.kind === 'iam') {
    const resourceAccount = request.resource.split(':')[4];
    if (resourceAccount && /^\d{12}$/.test(resourceAccount) && resourceAccount !== principal.account) {
      throw new PolicyError(`cross-account request (principal in ${principal.account}, resource in ${resourceAccount}) is not modelled`);
    }
  }
  if ((principal.kind === 'service' || (principal.kind === 'iam' && principal.isRoot)) && policies.identity.length > 0) {
    throw new PolicyError(`${request.principalArn} has no identity policies; pass identity: []`);
  }
  if (isKmsKey && !policies.resource) throw new PolicyError(`${request.resource} is a KMS key: pass its key policy as the resource policy`);

  const ctx = requestContext(request, principal);
  const identity = policies.identity.flatMap((doc, i) => parseDocument(doc, `identity[${i}]`, 'identity').map((s) => ({ s, policy: `identity[${i}]` })));
  const resource = policies.resource ? parseDocument(policies.resource, 'resource', 'resource').map((s) => ({ s, policy: 'resource' })) : [];

  const matched: MatchedStatement[] = [];
  for (const { s, policy } of [...identity, ...resource]) {
    let via: MatchedStatement['via'];
    if (s.principal) {
      if (s.principal.not) {
        if (excludedByNotPrincipal(s.principal.entries, principal)) continue;
        via = 'principal';
      } else {
        const m = matchPrincipal(s.principal.entries, principal);
        if (m === 'none') continue;
        via = m;
      }
    }
    if (!actionAndResourceMatch(s, request)) continue;
    if (!conditionsMatch(s.condition, ctx, s.where)) continue;
    matched.push({ policy, sid: s.sid, effect: s.effect, via });
  }

  const allows = matched.filter((m) => m.effect === 'Allow');
  const identityAllows = principal.kind === 'iam' && principal.isRoot ? !isKmsKey : allows.some((m) => m.policy !== 'resource');
  const resourceAllowsPrincipal = allows.some((m) => m.policy === 'resource' && m.via === 'principal');
  const resourceDelegates = allows.some((m) => m.policy === 'resource' && m.via === 'account');

  let decision: Decision;
  if (matched.some((m) => m.effect === 'Deny')) decision = 'ExplicitDeny';
  else if (resourceAllowsPrincipal) decision = 'Allow';
  else if (isKmsKey) decision = resourceDelegates && identityAllows ? 'Allow' : 'ImplicitDeny';
  else decision = identityAllows ? 'Allow' : 'ImplicitDeny';
  return { decision, matched };
}

/** 'Allow' | 'ExplicitDeny' | 'ImplicitDeny' for the request under the policies. */
export function evaluate(request: AccessRequest, policies: Policies): Decision {
  return explain(request, policies).decision;
}

// ---------------------------------------------------------------------------
// Collecting policies from a synthesized template

/**
 * AWS managed policies a role of this repo may attach, by name. From the AWS
 * Managed Policy Reference: AmazonSSMManagedInstanceCore v2,
 * AWSLambdaBasicExecutionRole v1. Other managed policies need a document in
 * TemplatePolicyOptions.managedPolicies.
 */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  AmazonSSMManagedInstanceCore: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: ['ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel'],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
      },
    ],
  },
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

/**
 * The AWS managed policy AdministratorAccess (v1), which `cdk bootstrap`
 * attaches to the CloudFormation execution role unless
 * --cloudformation-execution-policies says otherwise. Not in
 * AWS_MANAGED_POLICIES: no role of this repo may attach it.
 */
export const ADMINISTRATOR_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface TemplatePolicyOptions extends TemplateContextOptions {
  /** Documents of managed policies that are not in the template, by ARN (overrides AWS_MANAGED_POLICIES). */
  readonly managedPolicies?: Readonly<Record<string, PolicyDocument>>;
}

export type PolicyFilter = { readonly role: string } | { readonly secret: string } | { readonly key: string };

function resourceOfType(template: CfnTemplate, logicalId: string, type: string) {
  const r = template.Resources?.[logicalId];
  if (!r) throw new PolicyError(`no resource ${logicalId} in the template`);
  if (r.Type !== type) throw new PolicyError(`${logicalId} is a ${r.Type}, not a ${type}`);
  return r;
}

const resolvedDocument = (raw: unknown, ctx: IntrinsicContext) => resolveIntrinsics(raw, ctx) as PolicyDocument;

function resolvedStrings(raw: unknown, ctx: IntrinsicContext, where: string): string[] {
  if (raw === undefined) return [];
  const v = resolveIntrinsics(raw, ctx);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new PolicyError(`${where}: does not resolve to a list of strings`);
  return v as string[];
}

/**
 * The identity policies attached to a role of the template, resolved: its
 * inline Policies, AWS::IAM::Policy and AWS::IAM::ManagedPolicy whose Roles
 * name it, AWS::IAM::RolePolicy whose RoleName names it, and the documents of
 * its ManagedPolicyArns (the template's managed policies, then
 * options.managedPolicies, then AWS_MANAGED_POLICIES; unknown -> throws).
 */
export function identityPoliciesOf(template: CfnTemplate, roleLogicalId: string, options: TemplatePolicyOptions): PolicyDocument[] {
  const role = resourceOfType(template, roleLogicalId, 'AWS::IAM::Role');
  const ctx = contextFor(template, options);
  const props = role.Properties ?? {};
  if (props.PermissionsBoundary !== undefined) throw new PolicyError(`${roleLogicalId}: permissions boundaries are not modelled`);
  const roleName = refOf(roleLogicalId, ctx);
  const docs: PolicyDocument[] = [];

  const inline = props.Policies ?? [];
  if (!Array.isArray(inline)) throw new PolicyError(`${roleLogicalId}.Policies: expected a list`);
  for (const p of inline as { PolicyDocument?: unknown }[]) docs.push(resolvedDocument(p.PolicyDocument, ctx));

  const attachedManaged = new Set<string>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const rp = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy' && resolvedStrings(rp.Roles, ctx, `${id}.Roles`).includes(roleName)) {
      docs.push(resolvedDocument(rp.PolicyDocument, ctx));
    } else if (r.Type === 'AWS::IAM::RolePolicy' && resolveIntrinsics(rp.RoleName, ctx) === roleName) {
      docs.push(resolvedDocument(rp.PolicyDocument, ctx));
    } else if (r.Type === 'AWS::IAM::ManagedPolicy' && resolvedStrings(rp.Roles, ctx, `${id}.Roles`).includes(roleName)) {
      attachedManaged.add(id);
    }
  }

  const managedByArn = new Map(
    Object.entries(template.Resources ?? {})
      .filter(([, r]) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map(([id]) => [refOf(id, ctx), id] as const),
  );
  for (const arn of resolvedStrings(props.ManagedPolicyArns, ctx, `${roleLogicalId}.ManagedPolicyArns`)) {
    const local = managedByArn.get(arn);
    if (local) {
      attachedManaged.add(local);
      continue;
    }
    const supplied = options.managedPolicies?.[arn];
    const awsName = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
    const known = supplied ?? (awsName !== undefined ? AWS_MANAGED_POLICIES[awsName] : undefined);
    if (!known) throw new PolicyError(`${roleLogicalId}: managed policy ${arn} is not in the template; pass its document in options.managedPolicies`);
    docs.push(known);
  }
  for (const id of [...attachedManaged].sort()) docs.push(resolvedDocument(template.Resources![id]!.Properties?.PolicyDocument, ctx));
  return docs;
}

/** What a KMS key without a KeyPolicy gets: the account may use IAM policies for it. */
const defaultKeyPolicy = (ctx: IntrinsicContext): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:${ctx.partition ?? 'aws'}:iam::${ctx.account}:root` }, Action: 'kms:*', Resource: '*' }],
});

/**
 * The resource policy of a secret (the AWS::SecretsManager::ResourcePolicy
 * whose SecretId is its ARN or name; undefined when none) or of a KMS key
 * (its KeyPolicy, or the default one), resolved.
 */
export function resourcePolicyOf(
  template: CfnTemplate,
  filter: { readonly secret: string } | { readonly key: string },
  options: TemplateContextOptions,
): PolicyDocument | undefined {
  const ctx = contextFor(template, options);
  if ('key' in filter) {
    const key = resourceOfType(template, filter.key, 'AWS::KMS::Key');
    const raw = key.Properties?.KeyPolicy;
    return raw === undefined ? defaultKeyPolicy(ctx) : resolvedDocument(raw, ctx);
  }
  const secret = resourceOfType(template, filter.secret, 'AWS::SecretsManager::Secret');
  const ids = new Set([refOf(filter.secret, ctx)]);
  const name = secret.Properties?.Name;
  if (name !== undefined) ids.add(resolveIntrinsics(name, ctx) as string);
  const policies = Object.entries(template.Resources ?? {}).filter(
    ([, r]) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && ids.has(resolveIntrinsics(r.Properties?.SecretId, ctx) as string),
  );
  if (policies.length > 1) throw new PolicyError(`${filter.secret} has ${policies.length} resource policies: ${policies.map(([id]) => id).join(', ')}`);
  return policies[0] && resolvedDocument(policies[0][1].Properties?.ResourcePolicy, ctx);
}

const statementList = (doc: PolicyDocument): Statement[] => (Array.isArray(doc.Statement) ? [...(doc.Statement as Statement[])] : [doc.Statement as Statement]);

/**
 * The resolved statements of a role's identity policies ({ role }) or of a
 * secret's or key's resource policy ({ secret } / { key }; [] when none).
 */
export function statementsOf(template: CfnTemplate, filter: PolicyFilter, options: TemplatePolicyOptions): Statement[] {
  if ('role' in filter) return identityPoliciesOf(template, filter.role, options).flatMap(statementList);
  const doc = resourcePolicyOf(template, filter, options);
  return doc ? statementList(doc) : [];
}
