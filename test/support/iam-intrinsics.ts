/**
 * Resolves the CloudFormation intrinsics of a synthesized template to plain
 * strings, so tests can evaluate its IAM policies (test/support/simulator.ts)
 * against concrete ARNs.
 *
 * Resources of the template get plausible, deterministic names and ARNs
 * (e.g. a role's Arn is arn:aws:iam::<account>:role/<RoleName or LogicalId>);
 * `overrides` replaces them where two stacks must agree (a role made in one
 * stack, named in another stack's policy). Anything this file does not know
 * throws: a resolver that guessed could make a policy test pass that should
 * fail.
 */
import { createHash } from 'crypto';

/** One resource of a template, as synthesized. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** The parts of a synthesized template the policy helpers read. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Export?: { readonly Name: unknown } }>;
  readonly [key: string]: unknown;
}

/** Replaces what a logical id resolves to: its Ref, its Arn, or any other attribute. */
export interface ResourceOverride {
  readonly ref?: string;
  readonly arn?: string;
  readonly attributes?: Record<string, string>;
}

export interface IntrinsicContext {
  readonly account: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Value of AWS::StackName; Ref to it throws when unset. */
  readonly stackName?: string;
  /** The template's Resources. */
  readonly resources: Record<string, CfnResource>;
  /** By logical id (of a resource or a parameter of the template). */
  readonly overrides?: Record<string, ResourceOverride>;
  /**
   * Fn::ImportValue: export name -> value. Keys are export names; an import
   * whose name is itself an intrinsic is looked up by its resolved name, then
   * by JSON.stringify of the unresolved object.
   */
  readonly imports?: Record<string, string>;
  /**
   * Fn::GetStackOutput: stackOutputKey(region, stack name, output name) -> value,
   * e.g. from outputsOf(<other stack>). An output not listed throws, as
   * CloudFormation fails a stack whose GetStackOutput names no existing output.
   */
  readonly stackOutputs?: Record<string, string>;
}

/** Options of the template helpers: the context without the resources (taken from the template). */
export type TemplateContextOptions = Omit<IntrinsicContext, 'resources'>;

/** The random-looking suffix Secrets Manager appends to secret ARNs; fixed here so tests can name it. */
export const SECRET_ARN_SUFFIX = 'AbCdEf';

/** Deterministic hex of a logical id, for instance ids and the like. */
export const logicalIdHash = (logicalId: string, length = 17) => createHash('sha256').update(logicalId).digest('hex').slice(0, length);

export function contextFor(template: CfnTemplate, options: TemplateContextOptions): IntrinsicContext {
  return { ...options, resources: template.Resources ?? {} };
}

class IntrinsicError extends Error {
  constructor(message: string, value?: unknown) {
    super(value === undefined ? message : `${message}: ${JSON.stringify(value)}`);
    this.name = 'IntrinsicError';
  }
}

const partitionOf = (ctx: IntrinsicContext) => ctx.partition ?? 'aws';

function pseudoParameter(name: string, ctx: IntrinsicContext): string {
  switch (name) {
    case 'AWS::Partition':
      return partitionOf(ctx);
    case 'AWS::Region':
      return ctx.region;
    case 'AWS::AccountId':
      return ctx.account;
    case 'AWS::URLSuffix':
      return partitionOf(ctx) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName':
      if (ctx.stackName === undefined) throw new IntrinsicError('Ref AWS::StackName: set stackName in the context');
      return ctx.stackName;
    default:
      throw new IntrinsicError(`unsupported pseudo parameter ${name}`);
  }
}

/** A string property of a resource (resolved when it is itself an intrinsic), or undefined. */
function stringProperty(logicalId: string, property: string, ctx: IntrinsicContext, seen: ReadonlySet<string>): string | undefined {
  const raw = ctx.resources[logicalId]?.Properties?.[property];
  if (raw === undefined) return undefined;
  const value = resolve(raw, ctx, seen);
  if (typeof value !== 'string') throw new IntrinsicError(`${logicalId}.${property} does not resolve to a string`, raw);
  return value;
}

function iamPath(logicalId: string, ctx: IntrinsicContext, seen: ReadonlySet<string>): string {
  const p = stringProperty(logicalId, 'Path', ctx, seen) ?? '/';
  return p.replace(/^\//, '');
}

interface ResolvedNames {
  readonly ref: string;
  readonly attributes: Record<string, () => string>;
}

/** Ref and attributes of one resource of the template, by type. */
function namesOf(logicalId: string, resource: CfnResource, ctx: IntrinsicContext, seen: ReadonlySet<string>): ResolvedNames {
  const p = partitionOf(ctx);
  const { account, region } = ctx;
  const prop = (name: string) => stringProperty(logicalId, name, ctx, seen);
  const hash = logicalIdHash(logicalId);
  switch (resource.Type) {
    case 'AWS::IAM::Role': {
      const name = prop('RoleName') ?? logicalId;
      return {
        ref: name,
        attributes: {
          Arn: () => `arn:${p}:iam::${account}:role/${iamPath(logicalId, ctx, seen)}${name}`,
          RoleId: () => `AROA${hash.toUpperCase()}`,
        },
      };
    }
    case 'AWS::IAM::User': {
      const name = prop('UserName') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:iam::${account}:user/${iamPath(logicalId, ctx, seen)}${name}` } };
    }
    case 'AWS::IAM::InstanceProfile': {
      const name = prop('InstanceProfileName') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:iam::${account}:instance-profile/${iamPath(logicalId, ctx, seen)}${name}` } };
    }
    case 'AWS::IAM::ManagedPolicy': {
      const arn = `arn:${p}:iam::${account}:policy/${iamPath(logicalId, ctx, seen)}${prop('ManagedPolicyName') ?? logicalId}`;
      return { ref: arn, attributes: { PolicyArn: () => arn } };
    }
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:${p}:secretsmanager:${region}:${account}:secret:${prop('Name') ?? logicalId}-${SECRET_ARN_SUFFIX}`;
      return { ref: arn, attributes: { Id: () => arn } };
    }
    case 'AWS::KMS::Key':
      return { ref: logicalId, attributes: { Arn: () => `arn:${p}:kms:${region}:${account}:key/${logicalId}`, KeyId: () => logicalId } };
    case 'AWS::KMS::Alias':
      return { ref: prop('AliasName') ?? `alias/${logicalId}`, attributes: {} };
    case 'AWS::Lambda::Function': {
      const name = prop('FunctionName') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:lambda:${region}:${account}:function:${name}` } };
    }
    case 'AWS::Events::Rule': {
      // Ref: the rule's name (on the default event bus); unnamed rules get a generated one.
      const name = prop('Name') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:events:${region}:${account}:rule/${name}` } };
    }
    case 'AWS::SSM::Document':
      return { ref: prop('Name') ?? logicalId, attributes: {} };
    case 'AWS::SSM::Parameter': {
      const name = prop('Name') ?? logicalId;
      return { ref: name, attributes: { Type: () => prop('Type') ?? 'String', Value: () => prop('Value') ?? '' } };
    }
    case 'AWS::EC2::Instance':
      return { ref: `i-${hash}`, attributes: { InstanceId: () => `i-${hash}` } };
    case 'AWS::EC2::SecurityGroup':
      return { ref: `sg-${hash}`, attributes: { GroupId: () => `sg-${hash}` } };
    case 'AWS::EC2::VPC':
      return { ref: `vpc-${hash}`, attributes: { VpcId: () => `vpc-${hash}`, DefaultSecurityGroup: () => `sg-${logicalIdHash(`${logicalId}/default`)}` } };
    case 'AWS::EC2::Subnet':
      return { ref: `subnet-${hash}`, attributes: { SubnetId: () => `subnet-${hash}` } };
    case 'AWS::CloudFront::Distribution': {
      const id = `E${logicalIdHash(logicalId, 13).toUpperCase()}`;
      return { ref: id, attributes: { Id: () => id, DomainName: () => `d${logicalIdHash(logicalId, 13)}.cloudfront.net` } };
    }
    case 'AWS::WAFv2::WebACL': {
      // Ref is `name|id|scope`; the ARN's resource part is global/ for CLOUDFRONT scope, regional/ otherwise.
      const name = prop('Name') ?? logicalId;
      const scope = prop('Scope') ?? 'REGIONAL';
      const h = logicalIdHash(logicalId, 32);
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
      const arn = `arn:${p}:wafv2:${region}:${account}:${scope === 'CLOUDFRONT' ? 'global' : 'regional'}/webacl/${name}/${id}`;
      return { ref: `${name}|${id}|${scope}`, attributes: { Arn: () => arn, Id: () => id, LabelNamespace: () => `awswaf:${account}:webacl:${name}:` } };
    }
    case 'AWS::Logs::LogGroup': {
      const name = prop('LogGroupName') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:logs:${region}:${account}:log-group:${name}:*` } };
    }
    case 'AWS::S3::Bucket': {
      const name = prop('BucketName') ?? logicalId.toLowerCase();
      return { ref: name, attributes: { Arn: () => `arn:${p}:s3:::${name}`, DomainName: () => `${name}.s3.amazonaws.com` } };
    }
    case 'AWS::SNS::Topic': {
      const arn = `arn:${p}:sns:${region}:${account}:${prop('TopicName') ?? logicalId}`;
      return { ref: arn, attributes: { TopicArn: () => arn } };
    }
    case 'AWS::CloudTrail::Trail': {
      // Ref: the trail name; Fn::GetAtt Arn: arn:<partition>:cloudtrail:<region>:<account>:trail/<name> (CloudFormation's AWS::CloudTrail::Trail return values).
      const name = prop('TrailName') ?? logicalId;
      return { ref: name, attributes: { Arn: () => `arn:${p}:cloudtrail:${region}:${account}:trail/${name}` } };
    }
    case 'AWS::SQS::Queue': {
      const name = prop('QueueName') ?? logicalId;
      return {
        ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        attributes: { Arn: () => `arn:${p}:sqs:${region}:${account}:${name}`, QueueName: () => name },
      };
    }
    default:
      // Not modelled: an opaque ARN that no pattern short of "*" can match.
      return { ref: `arn:${p}:${logicalId}`, attributes: { Arn: () => `arn:${p}:${logicalId}` } };
  }
}

function ref(logicalId: string, ctx: IntrinsicContext, seen: ReadonlySet<string>): string {
  if (logicalId.startsWith('AWS::')) return pseudoParameter(logicalId, ctx);
  const override = ctx.overrides?.[logicalId];
  const resource = ctx.resources[logicalId];
  if (override?.ref !== undefined) return override.ref;
  if (!resource) throw new IntrinsicError(`Ref to ${logicalId}: not a resource of the template (parameters need an override)`);
  if (seen.has(logicalId)) throw new IntrinsicError(`circular reference through ${logicalId}`);
  const names = namesOf(logicalId, resource, ctx, new Set([...seen, logicalId]));
  // Types whose Ref is their ARN follow an arn override.
  if (override?.arn !== undefined && names.ref.startsWith('arn:')) return override.arn;
  return names.ref;
}

function getAtt(logicalId: string, attribute: string, ctx: IntrinsicContext, seen: ReadonlySet<string>): string {
  const override = ctx.overrides?.[logicalId];
  if (attribute === 'Arn' && override?.arn !== undefined) return override.arn;
  if (override?.attributes?.[attribute] !== undefined) return override.attributes[attribute]!;
  const resource = ctx.resources[logicalId];
  if (!resource) throw new IntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}: not a resource of the template`);
  if (seen.has(logicalId)) throw new IntrinsicError(`circular reference through ${logicalId}`);
  const names = namesOf(logicalId, resource, ctx, new Set([...seen, logicalId]));
  const value = names.attributes[attribute];
  if (value) return value();
  if (attribute === 'Arn') throw new IntrinsicError(`Fn::GetAtt ${logicalId}.Arn: ${resource.Type} has no Arn attribute here (use an override)`);
  // An attribute not modelled (e.g. a custom resource's output): an opaque value.
  if (!KNOWN_TYPES.has(resource.Type)) return `${logicalId}.${attribute}`;
  throw new IntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}: attribute not modelled for ${resource.Type} (use an override)`);
}

const KNOWN_TYPES = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::User',
  'AWS::IAM::InstanceProfile',
  'AWS::IAM::ManagedPolicy',
  'AWS::SecretsManager::Secret',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::Lambda::Function',
  'AWS::SSM::Document',
  'AWS::SSM::Parameter',
  'AWS::EC2::Instance',
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::VPC',
  'AWS::EC2::Subnet',
  'AWS::CloudFront::Distribution',
  'AWS::WAFv2::WebACL',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::CloudTrail::Trail',
]);

function asString(value: unknown, what: string, raw: unknown): string {
  if (typeof value !== 'string') throw new IntrinsicError(`${what} does not resolve to a string`, raw);
  return value;
}

function asStringList(value: unknown, what: string, raw: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new IntrinsicError(`${what} does not resolve to a list of strings`, raw);
  return value as string[];
}

function sub(template: string, variables: Record<string, unknown>, ctx: IntrinsicContext, seen: ReadonlySet<string>, raw: unknown): string {
  return template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const trimmed = name.trim();
    if (Object.prototype.hasOwnProperty.call(variables, trimmed)) return asString(resolve(variables[trimmed], ctx, seen), `Fn::Sub variable ${trimmed}`, raw);
    if (trimmed.startsWith('AWS::')) return pseudoParameter(trimmed, ctx);
    const dot = trimmed.indexOf('.');
    if (dot > 0) return getAtt(trimmed.slice(0, dot), trimmed.slice(dot + 1), ctx, seen);
    if (/^[A-Za-z0-9]+$/.test(trimmed)) return ref(trimmed, ctx, seen);
    throw new IntrinsicError(`Fn::Sub: cannot resolve ${whole}`, raw);
  });
}

function intrinsic(name: string, arg: unknown, ctx: IntrinsicContext, seen: ReadonlySet<string>, raw: unknown): unknown {
  switch (name) {
    case 'Ref':
      if (typeof arg !== 'string') throw new IntrinsicError('malformed Ref', raw);
      return ref(arg, ctx, seen);
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? arg.split(/\.(.*)/s).slice(0, 2) : arg;
      if (!Array.isArray(parts) || parts.length !== 2) throw new IntrinsicError('malformed Fn::GetAtt', raw);
      const logicalId = asString(parts[0], 'Fn::GetAtt logical id', raw);
      const attribute = asString(resolve(parts[1], ctx, seen), 'Fn::GetAtt attribute', raw);
      return getAtt(logicalId, attribute, ctx, seen);
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') throw new IntrinsicError('malformed Fn::Join', raw);
      const items = asStringList(resolve(arg[1], ctx, seen), 'Fn::Join list', raw);
      return items.join(arg[0]);
    }
    case 'Fn::Sub': {
      if (typeof arg === 'string') return sub(arg, {}, ctx, seen, raw);
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[1] === null || typeof arg[1] !== 'object' || Array.isArray(arg[1])) {
        throw new IntrinsicError('malformed Fn::Sub', raw);
      }
      return sub(arg[0], arg[1] as Record<string, unknown>, ctx, seen, raw);
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) throw new IntrinsicError('malformed Fn::Select', raw);
      const index = Number(resolve(arg[0], ctx, seen));
      const list = resolve(arg[1], ctx, seen);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) throw new IntrinsicError('Fn::Select index out of range', raw);
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string' || arg[0] === '') throw new IntrinsicError('malformed Fn::Split', raw);
      return asString(resolve(arg[1], ctx, seen), 'Fn::Split source', raw).split(arg[0]);
    }
    case 'Fn::GetAZs':
      return ['a', 'b', 'c'].map((z) => `${ctx.region}${z}`);
    case 'Fn::ImportValue': {
      const imports = ctx.imports ?? {};
      const has = (k: string) => Object.prototype.hasOwnProperty.call(imports, k);
      if (typeof arg === 'string') {
        if (has(arg)) return imports[arg];
      } else {
        const asKey = JSON.stringify(arg);
        let resolvedName: unknown;
        try {
          resolvedName = resolve(arg, ctx, seen);
        } catch {
          resolvedName = undefined;
        }
        if (typeof resolvedName === 'string' && has(resolvedName)) return imports[resolvedName];
        if (has(asKey)) return imports[asKey];
      }
      throw new IntrinsicError(`Fn::ImportValue of an export not in the context's imports (add it, e.g. from exportsOf(<other stack>))`, raw);
    }
    case 'Fn::GetStackOutput': {
      if (arg === null || typeof arg !== 'object' || Array.isArray(arg)) throw new IntrinsicError('malformed Fn::GetStackOutput', raw);
      const { StackName, OutputName, Region } = arg as Record<string, unknown>;
      const key = stackOutputKey(
        Region === undefined ? ctx.region : asString(resolve(Region, ctx, seen), 'Fn::GetStackOutput Region', raw),
        asString(resolve(StackName, ctx, seen), 'Fn::GetStackOutput StackName', raw),
        asString(resolve(OutputName, ctx, seen), 'Fn::GetStackOutput OutputName', raw),
      );
      const outputs = ctx.stackOutputs ?? {};
      if (Object.prototype.hasOwnProperty.call(outputs, key)) return outputs[key];
      throw new IntrinsicError(`Fn::GetStackOutput of an output not in the context's stackOutputs (${key}; add it, e.g. from outputsOf(<other stack>))`, raw);
    }
    default:
      throw new IntrinsicError(`unsupported intrinsic ${name}`, raw);
  }
}

function resolve(value: unknown, ctx: IntrinsicContext, seen: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx, seen));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.some(([k]) => k === 'Ref' || k.startsWith('Fn::'))) {
    if (entries.length !== 1) throw new IntrinsicError('malformed intrinsic (more than one key)', value);
    const [name, arg] = entries[0]!;
    return intrinsic(name, arg, ctx, seen, value);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, ctx, seen)]));
}

/**
 * Returns `value` with every intrinsic replaced by what it resolves to
 * (strings; lists for Fn::Split and Fn::GetAZs). `{{resolve:...}}` strings
 * are left as they are. Throws on anything it does not know.
 */
export function resolveIntrinsics(value: unknown, ctx: IntrinsicContext): unknown {
  return resolve(value, ctx, new Set());
}

/** What `Ref: logicalId` resolves to (e.g. a role's name, a secret's ARN). */
export const refOf = (logicalId: string, ctx: IntrinsicContext): string => ref(logicalId, ctx, new Set());

/** What `Fn::GetAtt: [logicalId, attribute]` resolves to; attribute defaults to Arn. */
export const attOf = (logicalId: string, ctx: IntrinsicContext, attribute = 'Arn'): string => getAtt(logicalId, attribute, ctx, new Set());

/**
 * The ARN of a resource of the template: its Arn attribute, or its Ref for
 * types whose Ref is the ARN (secrets, managed policies, topics).
 */
export function arnOf(logicalId: string, ctx: IntrinsicContext): string {
  const r = ref(logicalId, ctx, new Set());
  return r.startsWith('arn:') ? r : getAtt(logicalId, 'Arn', ctx, new Set());
}

/** The template's exports (export name -> resolved value), for another stack's `imports`. */
export function exportsOf(template: CfnTemplate, ctx: IntrinsicContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    if (!output.Export) continue;
    const name = asString(resolveIntrinsics(output.Export.Name, ctx), `Outputs.${id}.Export.Name`, output.Export.Name);
    out[name] = asString(resolveIntrinsics(output.Value, ctx), `Outputs.${id}.Value`, output.Value);
  }
  return out;
}

/** The key of one stack output in IntrinsicContext.stackOutputs. */
export const stackOutputKey = (region: string, stackName: string, outputName: string) => `${region}/${stackName}/${outputName}`;

/** Every output of a stack (what Fn::GetStackOutput can read, exported or not), resolved in its own context. */
export function outputsOf(template: CfnTemplate, ctx: IntrinsicContext, stackName: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Outputs ?? {}).map(([id, output]) => [
      stackOutputKey(ctx.region, stackName, id),
      asString(resolveIntrinsics(output.Value, ctx), `Outputs.${id}.Value`, output.Value),
    ]),
  );
}

/** The logical ids of the template's resources of a type, sorted. */
export function logicalIdsOfType(template: CfnTemplate, type: string): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id)
    .sort();
}
