import { CfnResource, Stack } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { anyString, literal, nonEmpty, policyGlob, type Glob } from './glob';

/**
 * A resolved CloudFormation value (a string or an intrinsic) as a pattern of
 * the strings it can stand for at deploy time. An intrinsic is any string,
 * except where that is cheap and certain: pseudo parameters are single ARN
 * fields, and the ARN (or Ref) of a resource of a known type in the same
 * stack has that type's shape (CloudFormation's documented return values).
 */

const field = () => nonEmpty(':/');
const arn = (service: string, region: boolean, account: boolean, tail: Glob): Glob => [
  ...literal('arn:'),
  ...field(),
  ...literal(`:${service}:`),
  ...(region ? field() : []),
  ...literal(':'),
  ...(account ? field() : []),
  ...literal(':'),
  ...tail,
];

/** Return values of resource types whose shape is certain, by `Type.Attribute` (`Type.Ref` for Ref). */
const KNOWN_VALUES: Readonly<Record<string, () => Glob>> = {
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html#aws-resource-s3-bucket-return-values
  'AWS::S3::Bucket.Arn': () => arn('s3', false, false, nonEmpty(':/')),
  'AWS::S3::Bucket.Ref': () => nonEmpty(':/'),
  'AWS::KMS::Key.Arn': () => arn('kms', true, true, [...literal('key/'), ...nonEmpty(':/')]),
  'AWS::KMS::Key.Ref': () => nonEmpty(':/'),
  'AWS::SNS::Topic.Ref': () => arn('sns', true, true, nonEmpty(':/')),
  'AWS::SNS::Topic.TopicArn': () => arn('sns', true, true, nonEmpty(':/')),
  'AWS::SQS::Queue.Arn': () => arn('sqs', true, true, nonEmpty(':/')),
  'AWS::SecretsManager::Secret.Ref': () => arn('secretsmanager', true, true, [...literal('secret:'), ...nonEmpty(':')]),
  'AWS::SecretsManager::Secret.Id': () => arn('secretsmanager', true, true, [...literal('secret:'), ...nonEmpty(':')]),
  // A log group's Arn ends in ":*" (every stream of the group).
  'AWS::Logs::LogGroup.Arn': () => arn('logs', true, true, [...literal('log-group:'), ...nonEmpty(':'), ...literal(':'), ...anyString()]),
  'AWS::IAM::Role.Arn': () => arn('iam', false, true, [...literal('role/'), ...nonEmpty(':')]),
  'AWS::Lambda::Function.Arn': () => arn('lambda', true, true, [...literal('function:'), ...nonEmpty(':/')]),
};

const PSEUDO: Readonly<Record<string, () => Glob>> = {
  'AWS::Partition': field,
  'AWS::Region': field,
  'AWS::AccountId': field,
};

const typesCache = new WeakMap<Stack, ReadonlyMap<unknown, string>>();

/** The resource type of every logical ID of the stack (any other value, not a string, finds none). */
function typesOf(stack: Stack): ReadonlyMap<unknown, string> {
  let types = typesCache.get(stack);
  if (!types) {
    types = new Map<unknown, string>(
      stack.node
        .findAll()
        .filter(CfnResource.isCfnResource)
        .filter((r) => Stack.of(r) === stack)
        .map((r) => [stack.resolve(r.logicalId) as string, r.cfnResourceType]),
    );
    typesCache.set(stack, types);
  }
  return types;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The pattern of a resolved value found in a policy of `node`'s stack. */
export function valueGlob(node: CfnResource, value: unknown): Glob {
  const stack = Stack.of(node);
  const known = (logicalId: unknown, attribute: string): Glob => {
    return KNOWN_VALUES[`${typesOf(stack).get(logicalId)}.${attribute}`]?.() ?? anyString();
  };
  const visit = (v: unknown): Glob => {
    if (typeof v === 'string') return policyGlob(v);
    if (!isObject(v)) return anyString();
    const entry = Object.entries(v)[0];
    if (!entry) return anyString();
    const [fn, arg] = entry;
    if (fn === 'Ref' && typeof arg === 'string') return PSEUDO[arg]?.() ?? known(arg, 'Ref');
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) return known(arg[0], String(arg[1]));
    if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      return (arg[1] as unknown[]).flatMap((part, i) => [...(i > 0 ? literal(arg[0] as string) : []), ...visit(part)]);
    }
    if (fn === 'Fn::Sub') return sub(arg);
    return anyString();
  };
  const sub = (arg: unknown): Glob => {
    const [text, vars] = Array.isArray(arg) ? [arg[0], isObject(arg[1]) ? arg[1] : {}] : [arg, {}];
    if (typeof text !== 'string') return anyString();
    return text.split(/(\$\{[^}]*\})/).flatMap((part, i): Glob => {
      if (i % 2 === 0) return policyGlob(part);
      const name = part.slice(2, -1);
      if (name.startsWith('!')) return literal(`\${${name.slice(1)}}`);
      if (name in vars) return visit(vars[name]);
      if (PSEUDO[name]) return PSEUDO[name]();
      const [id, attribute] = name.split('.');
      return known(id, attribute ?? 'Ref');
    });
  };
  return visit(value);
}

/** A resolved value as text for a message or a finding ID (cdk-nag's notation: `<Bucket.Arn>/*`). */
export const valueLabel = (value: unknown): string => (typeof value === 'string' ? value : flattenCfnReference(value));
