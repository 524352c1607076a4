/**
 * Template values as the live deployment has them: a property of a deployed
 * template (an alarm's actions, a subscription's endpoint, a resource policy,
 * a key ARN) with its intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
 * Fn::ImportValue, Fn::GetStackOutput, CDK's cross-region export reader,
 * pseudo parameters) resolved through the physical IDs CloudFormation reports
 * (VerifyContext.physicalId), the way CloudFormation resolved them at deploy.
 * Live checks compare what AWS returns with what the template declares;
 * anything this module cannot resolve throws, so a check fails rather than
 * compares a guess.
 */
import type { DeployedStack, TemplateRef } from './deployed-stacks';
import type { VerifyContext } from './verify-context';

type Json = unknown;

/** The partition of a region (aws, aws-cn, aws-us-gov). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The template resource `logicalId` of `stack` as a TemplateRef; throws when the template has none. */
export function refIn(stack: DeployedStack, logicalId: string): TemplateRef {
  const resource = stack.template.Resources?.[logicalId];
  if (!resource) throw new Error(`${stack.stackName} has no resource ${logicalId}`);
  return { stack, logicalId, resource };
}

function asString(v: Json, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} does not resolve to a string`);
  return v;
}

function pseudo(ctx: VerifyContext, stack: DeployedStack, name: string): string {
  switch (name) {
    case 'AWS::AccountId':
      return ctx.account;
    case 'AWS::Region':
      return stack.region;
    case 'AWS::Partition':
      return partitionOf(stack.region);
    case 'AWS::URLSuffix':
      return stack.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName':
      return stack.stackName;
    default:
      throw new Error(`cannot resolve pseudo parameter ${name}`);
  }
}

/** The name of an SQS queue from its physical ID (what Ref returns: the queue URL). */
const queueName = (url: string): string => url.split('/').pop() ?? url;

/** The ARN of a resource from its physical ID (what Ref returns), for the types whose ARN Ref does not give. */
async function arnOf(ctx: VerifyContext, ref: TemplateRef): Promise<string> {
  const { stack, logicalId, resource } = ref;
  const id = await ctx.physicalId(ref);
  const p = partitionOf(stack.region);
  const props = (resource.Properties ?? {}) as Record<string, Json>;
  switch (resource.Type) {
    case 'AWS::IAM::Role': {
      const path = typeof props.Path === 'string' ? props.Path.replace(/^\//, '') : '';
      return `arn:${p}:iam::${ctx.account}:role/${path}${id}`;
    }
    case 'AWS::KMS::Key':
      return `arn:${p}:kms:${stack.region}:${ctx.account}:key/${id}`;
    case 'AWS::S3::Bucket':
      return `arn:${p}:s3:::${id}`;
    case 'AWS::Lambda::Function':
      return `arn:${p}:lambda:${stack.region}:${ctx.account}:function:${id}`;
    case 'AWS::Logs::LogGroup':
      return `arn:${p}:logs:${stack.region}:${ctx.account}:log-group:${id}:*`;
    case 'AWS::SQS::Queue':
      return `arn:${p}:sqs:${stack.region}:${ctx.account}:${queueName(id)}`;
    case 'AWS::SecretsManager::Secret':
    case 'AWS::SNS::Topic':
      return id;
    default:
      throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.Arn (${resource.Type})`);
  }
}

/** Fn::GetAtt of the attributes the checks read (documented return values of each type). */
async function getAtt(ctx: VerifyContext, stack: DeployedStack, logicalId: string, attribute: string): Promise<string> {
  const ref = refIn(stack, logicalId);
  const t = ref.resource.Type;
  if (t === 'Custom::CrossRegionExportReader') return crossRegionExport(ctx, attribute);
  if (attribute === 'Arn') return arnOf(ctx, ref);
  if (t === 'AWS::SNS::Topic' && attribute === 'TopicArn') return ctx.physicalId(ref);
  if (t === 'AWS::KMS::Key' && attribute === 'KeyId') return ctx.physicalId(ref);
  if (t === 'AWS::SQS::Queue' && attribute === 'QueueName') return queueName(await ctx.physicalId(ref));
  throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${t})`);
}

/** A value of CDK's cross-region export writer (in the exporting stack), by its parameter name. */
async function crossRegionExport(ctx: VerifyContext, name: string): Promise<string> {
  for (const s of ctx.stacks) {
    for (const r of Object.values(s.template.Resources ?? {})) {
      if (r.Type !== 'Custom::CrossRegionExportWriter') continue;
      const exports = ((r.Properties as { WriterProps?: { exports?: Record<string, Json> } } | undefined)?.WriterProps?.exports ?? {}) as Record<string, Json>;
      if (name in exports) return asString(await liveValue(ctx, s, exports[name]), `cross-region export ${name}`);
    }
  }
  throw new Error(`no stack writes the cross-region export ${name}`);
}

/** An output of `stack` (by output ID), resolved in that stack. */
async function output(ctx: VerifyContext, stack: DeployedStack, outputId: string): Promise<Json> {
  const out = stack.template.Outputs?.[outputId] as { Value?: Json } | undefined;
  if (!out) throw new Error(`${stack.stackName} has no output ${outputId}`);
  return liveValue(ctx, stack, out.Value);
}

/** Fn::ImportValue: the output of the stack of the deployment that exports `name` (export names resolved in their stack). */
async function importValue(ctx: VerifyContext, name: string): Promise<Json> {
  for (const s of ctx.stacks) {
    for (const [id, o] of Object.entries(s.template.Outputs ?? {})) {
      const exported = (o as { Export?: { Name?: Json } }).Export;
      if (exported && (await liveValue(ctx, s, exported.Name)) === name) return output(ctx, s, id);
    }
  }
  throw new Error(`no stack of the deployment exports ${name}`);
}

/** Fn::Sub in both forms: `${Name}` is a variable of the second form, a pseudo parameter, `${Id.Attr}` or `${Id}`; `${!Literal}` stays `${Literal}`. */
async function sub(ctx: VerifyContext, stack: DeployedStack, arg: Json): Promise<string> {
  const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [Json, Record<string, Json>];
  const template = asString(text, 'Fn::Sub text');
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\$\{(!?)([^}]+)\}/g)) {
    out += template.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    const name = m[2]!;
    if (m[1]) {
      out += `\${${name}}`;
      continue;
    }
    const dot = name.indexOf('.');
    const v =
      name in vars ? await liveValue(ctx, stack, vars[name])
      : name.startsWith('AWS::') ? pseudo(ctx, stack, name)
      : dot > 0 ? await getAtt(ctx, stack, name.slice(0, dot), name.slice(dot + 1))
      : await ctx.physicalId(refIn(stack, name));
    out += asString(v, `Fn::Sub \${${name}}`);
  }
  return out + template.slice(last);
}

/** `value` (a template property of `stack`) with every intrinsic resolved the way CloudFormation resolved it in `stack`. */
export async function liveValue(ctx: VerifyContext, stack: DeployedStack, value: Json): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => liveValue(ctx, stack, v)));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, Json>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref': {
        const name = asString(arg, 'Ref');
        return name.startsWith('AWS::') ? pseudo(ctx, stack, name) : ctx.physicalId(refIn(stack, name));
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = Array.isArray(arg) ? (arg as Json[]).map(String) : String(arg).split(/\.(.*)/s);
        return getAtt(ctx, stack, String(id), String(attribute));
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json];
        const resolved = await liveValue(ctx, stack, parts);
        if (!Array.isArray(resolved)) throw new Error(`Fn::Join of ${stack.stackName}: the list does not resolve to a list`);
        return resolved.map((p) => asString(p, 'Fn::Join part')).join(sep);
      }
      case 'Fn::Sub':
        return sub(ctx, stack, arg);
      case 'Fn::ImportValue':
        return importValue(ctx, asString(await liveValue(ctx, stack, arg), 'Fn::ImportValue name'));
      case 'Fn::GetStackOutput': {
        const a = arg as { StackName: Json; OutputName: Json };
        const stackName = await liveValue(ctx, stack, a.StackName);
        const target = ctx.stacks.find((s) => s.stackName === stackName);
        if (!target) throw new Error(`Fn::GetStackOutput: ${String(stackName)} is not a stack of the deployment`);
        return output(ctx, target, asString(await liveValue(ctx, stack, a.OutputName), 'Fn::GetStackOutput output name'));
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`cannot resolve ${key} of ${stack.stackName}`);
    }
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of entries) out[k] = await liveValue(ctx, stack, v);
  return out;
}

/** A string property resolved; throws when it does not resolve to a string. */
export async function liveString(ctx: VerifyContext, stack: DeployedStack, value: Json): Promise<string> {
  const v = await liveValue(ctx, stack, value);
  if (typeof v !== 'string') throw new Error(`${JSON.stringify(value)} of ${stack.stackName} does not resolve to a string`);
  return v;
}
