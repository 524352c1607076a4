/**
 * Template values as the live deployment has them: a property of a deployed
 * template (an alarm's actions, a subscription's endpoint, a function's
 * environment) with its intrinsics resolved through the physical IDs
 * CloudFormation reports (VerifyContext.physicalId), the way CloudFormation
 * resolved them at deploy. Used by the alarms and spend live checks; anything
 * it does not know throws, so a check fails rather than compares a guess.
 */
import type { DeployedStack, TemplateRef } from '../verify/deployed-stacks';
import type { VerifyContext } from '../verify/verify-context';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The template resource `logicalId` of `stack` as a TemplateRef. */
export function refIn(stack: DeployedStack, logicalId: string): TemplateRef {
  const resource = stack.template.Resources?.[logicalId];
  if (!resource) throw new Error(`${stack.stackName} has no resource ${logicalId}`);
  return { stack, logicalId, resource };
}

function pseudo(ctx: VerifyContext, stack: DeployedStack, name: string): string {
  switch (name) {
    case 'AWS::Region':
      return stack.region;
    case 'AWS::AccountId':
      return ctx.account;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return stack.stackName;
    default:
      throw new Error(`cannot resolve pseudo parameter ${name}`);
  }
}

/** Fn::GetAtt of the few attributes the checks read (documented return values of each type). */
async function getAtt(ctx: VerifyContext, stack: DeployedStack, logicalId: string, attribute: string): Promise<string> {
  const ref = refIn(stack, logicalId);
  const id = await ctx.physicalId(ref);
  const t = ref.resource.Type;
  if (t === 'AWS::Lambda::Function' && attribute === 'Arn') return `arn:aws:lambda:${stack.region}:${ctx.account}:function:${id}`;
  if (t === 'AWS::SNS::Topic' && attribute === 'TopicArn') return id;
  if (t === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${stack.region}:${ctx.account}:${id.split('/').pop() ?? id}`;
  if (t === 'AWS::SQS::Queue' && attribute === 'QueueName') return id.split('/').pop() ?? id;
  throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${t})`);
}

/** An output of `stack` (by output ID), resolved in that stack. */
async function output(ctx: VerifyContext, stack: DeployedStack, outputId: string): Promise<unknown> {
  const out = stack.template.Outputs?.[outputId] as { Value?: unknown } | undefined;
  if (!out) throw new Error(`${stack.stackName} has no output ${outputId}`);
  return liveValue(ctx, stack, out.Value);
}

async function importValue(ctx: VerifyContext, stack: DeployedStack, nameValue: unknown): Promise<unknown> {
  const name = await liveValue(ctx, stack, nameValue);
  for (const s of ctx.stacks) {
    for (const [id, o] of Object.entries(s.template.Outputs ?? {})) {
      const exp = (o as { Export?: { Name?: unknown } }).Export;
      if (exp && (await liveValue(ctx, s, exp.Name)) === name) return output(ctx, s, id);
    }
  }
  throw new Error(`no stack of the deployment exports ${String(name)}`);
}

/** `value` (a template property) with its intrinsics resolved the way CloudFormation resolved them in `stack`. */
export async function liveValue(ctx: VerifyContext, stack: DeployedStack, value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => liveValue(ctx, stack, v)));
  if (!isObj(value)) return value;
  const keys = Object.keys(value);
  const fn = keys.length === 1 ? keys[0]! : '';
  const arg = value[fn];
  if (fn === 'Ref') {
    const name = String(arg);
    return name.startsWith('AWS::') ? pseudo(ctx, stack, name) : ctx.physicalId(refIn(stack, name));
  }
  if (fn === 'Fn::GetAtt') {
    const [id, att] = Array.isArray(arg) ? (arg as string[]) : String(arg).split(/\.(.*)/s);
    return getAtt(ctx, stack, String(id), String(att));
  }
  if (fn === 'Fn::ImportValue') return importValue(ctx, stack, arg);
  if (fn === 'Fn::GetStackOutput') {
    const a = arg as { StackName: unknown; OutputName: unknown };
    const stackName = await liveValue(ctx, stack, a.StackName);
    const target = ctx.stacks.find((s) => s.stackName === stackName);
    if (!target) throw new Error(`Fn::GetStackOutput: ${String(stackName)} is not a stack of the deployment`);
    return output(ctx, target, String(await liveValue(ctx, stack, a.OutputName)));
  }
  if (fn === 'Fn::Join') {
    const [sep, items] = arg as [string, unknown];
    return ((await liveValue(ctx, stack, items)) as unknown[]).join(sep);
  }
  if (fn === 'Fn::Sub' && typeof arg === 'string') {
    const parts = await Promise.all(
      arg.split(/(\$\{[^}]+\})/).map(async (p) => {
        const m = /^\$\{([^}]+)\}$/.exec(p);
        if (!m) return p;
        const [id, att] = m[1]!.split(/\.(.*)/s);
        return att ? getAtt(ctx, stack, id!, att) : String(await liveValue(ctx, stack, { Ref: id }));
      }),
    );
    return parts.join('');
  }
  if (fn.startsWith('Fn::')) throw new Error(`cannot resolve ${fn} of ${stack.stackName}`);
  const out: Obj = {};
  for (const k of keys) out[k] = await liveValue(ctx, stack, value[k]);
  return out;
}

/** A string property resolved; throws when it does not resolve to a string. */
export async function liveString(ctx: VerifyContext, stack: DeployedStack, value: unknown): Promise<string> {
  const v = await liveValue(ctx, stack, value);
  if (typeof v !== 'string') throw new Error(`${JSON.stringify(value)} of ${stack.stackName} does not resolve to a string`);
  return v;
}
