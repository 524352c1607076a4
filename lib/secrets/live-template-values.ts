/**
 * Template values as the live deployment has them: the intrinsics of a
 * template property (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue, a
 * CDK cross-region export reader) resolved through the physical IDs
 * CloudFormation reports, the way CloudFormation resolved them at deploy time.
 * Live checks compare what AWS returns (a resource policy, a key ARN) with
 * what the template declares; anything this module cannot resolve throws, so
 * a check never passes on a guess.
 */
import type { DeployedStack, TemplateRef } from '../verify/deployed-stacks';
import type { VerifyContext } from '../verify/verify-context';

/** The partition of a region (aws, aws-cn, aws-us-gov). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

type Json = unknown;

function refOf(stack: DeployedStack, logicalId: string): TemplateRef {
  const resource = stack.template.Resources?.[logicalId];
  if (!resource) throw new Error(`${stack.stackName}: no resource ${logicalId} in the template`);
  return { stack, logicalId, resource };
}

/** The ARN of a resource from its physical ID (what Ref returns), for the types whose ARN Ref does not give. */
async function arnOf(ctx: VerifyContext, stack: DeployedStack, logicalId: string): Promise<string> {
  const ref = refOf(stack, logicalId);
  const id = await ctx.physicalId(ref);
  const p = partitionOf(stack.region);
  const props = (ref.resource.Properties ?? {}) as Record<string, Json>;
  switch (ref.resource.Type) {
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
    case 'AWS::SecretsManager::Secret':
    case 'AWS::SNS::Topic':
      return id;
    default:
      throw new Error(`${stack.stackName}/${logicalId}: the ARN of a ${ref.resource.Type} is not modelled here`);
  }
}

async function getAtt(ctx: VerifyContext, stack: DeployedStack, logicalId: string, attribute: string): Promise<string> {
  const resource = refOf(stack, logicalId).resource;
  if (resource.Type === 'Custom::CrossRegionExportReader') return crossRegionExport(ctx, attribute);
  if (attribute === 'Arn') return arnOf(ctx, stack, logicalId);
  if (resource.Type === 'AWS::KMS::Key' && attribute === 'KeyId') return ctx.physicalId(refOf(stack, logicalId));
  throw new Error(`${stack.stackName}/${logicalId}: Fn::GetAtt ${attribute} of a ${resource.Type} is not modelled here`);
}

/** A value of CDK's cross-region export writer (in the exporting stack), by its parameter name. */
async function crossRegionExport(ctx: VerifyContext, name: string): Promise<string> {
  for (const s of ctx.stacks) {
    for (const r of Object.values(s.template.Resources ?? {})) {
      if (r.Type !== 'Custom::CrossRegionExportWriter') continue;
      const exports = ((r.Properties as { WriterProps?: { exports?: Record<string, Json> } } | undefined)?.WriterProps?.exports ?? {}) as Record<string, Json>;
      if (name in exports) return asString(await resolveTemplateValue(ctx, s, exports[name]), `cross-region export ${name}`);
    }
  }
  throw new Error(`no stack writes the cross-region export ${name}`);
}

/** Fn::ImportValue: the output of another stack of the deployment that exports `name`. */
async function importValue(ctx: VerifyContext, name: string): Promise<Json> {
  for (const s of ctx.stacks) {
    for (const o of Object.values(s.template.Outputs ?? {}) as { Value?: Json; Export?: { Name?: Json } }[]) {
      if (o.Export?.Name === name) return resolveTemplateValue(ctx, s, o.Value);
    }
  }
  throw new Error(`no stack of the deployment exports ${name}`);
}

function asString(v: Json, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} does not resolve to a string`);
  return v;
}

async function pseudo(ctx: VerifyContext, stack: DeployedStack, name: string): Promise<string> {
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
      throw new Error(`pseudo parameter ${name} is not modelled here`);
  }
}

/** `value` (a template fragment of `stack`) with every intrinsic resolved. */
export async function resolveTemplateValue(ctx: VerifyContext, stack: DeployedStack, value: Json): Promise<Json> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveTemplateValue(ctx, stack, v)));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, Json>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref': {
        const name = asString(arg, 'Ref');
        return name.startsWith('AWS::') ? pseudo(ctx, stack, name) : ctx.physicalId(refOf(stack, name));
      }
      case 'Fn::GetAtt': {
        const [id, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
        return getAtt(ctx, stack, id, attribute);
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, Json[]];
        const resolved = (await resolveTemplateValue(ctx, stack, parts)) as Json[];
        return resolved.map((p) => asString(p, 'Fn::Join part')).join(sep);
      }
      case 'Fn::ImportValue':
        return importValue(ctx, asString(await resolveTemplateValue(ctx, stack, arg), 'Fn::ImportValue name'));
      case 'Fn::Sub': {
        const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
        let out = '';
        let last = 0;
        for (const m of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
          out += text.slice(last, m.index);
          const name = m[1]!;
          const v =
            name in vars ? await resolveTemplateValue(ctx, stack, vars[name])
            : name.startsWith('AWS::') ? await pseudo(ctx, stack, name)
            : name.includes('.') ? await getAtt(ctx, stack, name.split('.')[0]!, name.split('.').slice(1).join('.'))
            : await ctx.physicalId(refOf(stack, name));
          out += asString(v, `Fn::Sub \${${name}}`);
          last = (m.index ?? 0) + m[0].length;
        }
        return out + text.slice(last);
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`${key} is not modelled here`);
    }
  }
  const out: Record<string, Json> = {};
  for (const [k, v] of entries) out[k] = await resolveTemplateValue(ctx, stack, v);
  return out;
}
