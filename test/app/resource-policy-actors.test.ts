/**
 * Every resource policy of a deployment (bucket, key, topic, queue, secret,
 * Lambda function policy), across its five templates, against the actors the
 * deployment's own resources rely on — derived from the templates, not from a
 * list:
 *
 * - a trail needs CloudTrail on its bucket and its key; a flow log, WAF
 *   logging and a CloudWatch Logs delivery (CloudFront standard logs v2) to S3
 *   need delivery.logs.amazonaws.com on the bucket and its key; a bucket's
 *   server access logging needs logging.s3.amazonaws.com on the log bucket; an
 *   alarm whose actions include a topic needs cloudwatch.amazonaws.com on the
 *   topic and the topic's key; a budget notifying a topic needs
 *   budgets.amazonaws.com on both; an encrypted log group needs
 *   logs.<region>.amazonaws.com on its key; an SNS subscription to a Lambda
 *   function (with a dead-letter queue) needs sns.amazonaws.com on the
 *   function and the queue; a rotation schedule needs secretsmanager.amazonaws.com
 *   on its function; a key that encrypts a secret delegates to the account
 *   through Secrets Manager; every key lets the account administer it via IAM.
 * - a secret's value is read by the host of its deployment, its rotation
 *   function, break-glass, and the CloudFormation execution role of every
 *   stack that holds a dynamic reference to it; written only by its rotation
 *   function and break-glass; updated (UpdateSecret, which can also write the
 *   value) only by those and the CloudFormation execution role of its own stack.
 *
 * The principals each policy names must be exactly those (a principal gained
 * or lost fails), and each relied-on actor's real calls, with the request
 * context AWS sends (test/support/request-context.ts), are simulated
 * (test/support/simulator.ts) and allowed. What must be denied is simulated
 * the same way: an account administrator, another client's host (acme, same
 * account) and another environment's host (example/dev against example/staging,
 * one account).
 */
import * as path from 'path';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildForTest } from '../support/build';
import { acmeClientFiles, configFixture } from '../support/config-fixture';
import { TOPOLOGY_CLIENTS, topologies } from '../support/topologies';
import { dynamicReferences, executionRoleOf } from '../support/dynamic-references';
import { adminPrincipal, decide, deploymentPolicies, keyAliasesOf, rolePrincipal, roleId, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { arnOf, attOf, logicalIdsOfType, refOf, resolveIntrinsics } from '../support/iam-intrinsics';
import { ENCRYPTION_CONTEXT, kmsCallThrough, S3_DELIVERY, serviceActor, type Call, type Delivery } from '../support/request-context';
import { simulate, type Decision } from '../support/simulator';
import type { PolicyDocument, Statement } from '../support/template-policies';

const ACCOUNT = '210987654321';
const STACKS = ['core', 'network', 'gateway', 'edge', 'spend'] as const;

interface Deployment {
  readonly p: DeploymentPolicies;
  readonly artifacts: readonly CloudFormationStackArtifact[];
}

let example: Deployment;
let acme: Deployment;
let staging: Deployment;
let dev: Deployment;

beforeAll(() => {
  const configDir = path.join(configFixture(acmeClientFiles(ACCOUNT)), 'config');
  const build = (client: string, env: string): Deployment => {
    const { config, stage } = buildForTest({ client, env }, configDir).deployments[0]!;
    return { p: deploymentPolicies(config, stage), artifacts: stage.synth().stacks };
  };
  example = build('example', 'prod');
  acme = build('acme', 'prod');
  staging = build('example', 'staging');
  dev = build('example', 'dev');
});

const stacksOf = (d: Deployment): StackPolicies[] => STACKS.map((s) => d.p[s]);
const resourcesOf = (stack: StackPolicies, type: string) => logicalIdsOfType(stack.template, type).map((id) => ({ id, props: stack.template.Resources![id]!.Properties ?? {} }));
const r = (stack: StackPolicies, v: unknown) => resolveIntrinsics(v, stack.ctx);
const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...v] : [v as T]);
const regionOf = (stack: StackPolicies) => stack.ctx.region;

// ---------------------------------------------------------------------------
// The resource policies of the templates and the principals they name

interface ResourcePolicy {
  /** The resource's ARN. */
  readonly arn: string;
  readonly doc: PolicyDocument;
  readonly where: string;
}

/** A Lambda permission as Lambda writes it into the function's policy. */
function lambdaPermissionStatement(stack: StackPolicies, props: Record<string, unknown>): Statement {
  const condition: Record<string, Record<string, string>> = {};
  if (props.SourceAccount !== undefined) condition.StringEquals = { 'AWS:SourceAccount': r(stack, props.SourceAccount) as string };
  if (props.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': r(stack, props.SourceArn) as string };
  const principal = r(stack, props.Principal) as string;
  return {
    Effect: 'Allow',
    Principal: /^\d{12}$|^arn:/.test(principal) ? { AWS: principal } : { Service: principal },
    Action: r(stack, props.Action) as string,
    Resource: r(stack, props.FunctionName) as string,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

function resourcePolicies(d: Deployment): ResourcePolicy[] {
  const out: ResourcePolicy[] = [];
  for (const stack of stacksOf(d)) {
    const name = (id: string) => `${stack.template === d.p.core.template ? 'core' : STACKS.find((s) => d.p[s] === stack)}/${id}`;
    for (const { id, props } of resourcesOf(stack, 'AWS::KMS::Key')) out.push({ arn: attOf(id, stack.ctx), doc: r(stack, props.KeyPolicy) as PolicyDocument, where: name(id) });
    for (const { id, props } of resourcesOf(stack, 'AWS::S3::BucketPolicy')) out.push({ arn: `arn:aws:s3:::${r(stack, props.Bucket) as string}`, doc: r(stack, props.PolicyDocument) as PolicyDocument, where: name(id) });
    for (const { id, props } of resourcesOf(stack, 'AWS::SNS::TopicPolicy')) for (const t of list(r(stack, props.Topics) as string[])) out.push({ arn: t, doc: r(stack, props.PolicyDocument) as PolicyDocument, where: name(id) });
    for (const { id, props } of resourcesOf(stack, 'AWS::SQS::QueuePolicy')) {
      for (const url of list(r(stack, props.Queues) as string[])) {
        const [, , host, account, queue] = url.split('/');
        out.push({ arn: `arn:aws:sqs:${host!.split('.')[1]}:${account}:${queue}`, doc: r(stack, props.PolicyDocument) as PolicyDocument, where: name(id) });
      }
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::SecretsManager::ResourcePolicy')) out.push({ arn: r(stack, props.SecretId) as string, doc: r(stack, props.ResourcePolicy) as PolicyDocument, where: name(id) });
    // A function's policy is the set of its permissions.
    const byFunction = new Map<string, Statement[]>();
    for (const { props } of resourcesOf(stack, 'AWS::Lambda::Permission')) {
      const s = lambdaPermissionStatement(stack, props);
      byFunction.set(s.Resource as string, [...(byFunction.get(s.Resource as string) ?? []), s]);
    }
    for (const [fn, statements] of byFunction) out.push({ arn: fn, doc: { Version: '2012-10-17', Statement: statements }, where: name(`function policy of ${fn}`) });
  }
  return out;
}

/** "<resource ARN> <- <principal>" for every principal an Allow statement names. */
function namedPrincipals(policies: readonly ResourcePolicy[]): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    for (const s of list(p.doc.Statement) as Statement[]) {
      if (s.Effect !== 'Allow') continue;
      if (s.Principal === '*' || s.Principal === undefined) {
        out.add(`${p.arn} <- *`);
        continue;
      }
      for (const [kind, values] of Object.entries(s.Principal)) for (const v of list(values)) out.add(`${p.arn} <- ${kind === 'Service' ? v : `AWS:${v}`}`);
    }
  }
  return [...out].sort();
}

// ---------------------------------------------------------------------------
// What the deployment relies on, derived from its resources

/** One call an actor makes on a resource because the deployment relies on it. */
interface Reliance {
  readonly resource: string;
  readonly principal: string;
  /** Why (the resource of the template that needs it). */
  readonly because: string;
  readonly calls: readonly { readonly call: Call; readonly delivery?: Delivery }[];
}

const EPOCH_PATH = '2026/01/15';
const accountOf = (d: Deployment) => d.p.config.aws.account;

function keyOfBucket(d: Deployment, bucketArn: string): string | undefined {
  for (const stack of stacksOf(d)) {
    for (const { id, props } of resourcesOf(stack, 'AWS::S3::Bucket')) {
      if (attOf(id, stack.ctx) !== bucketArn) continue;
      const rule = (props.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID?: unknown } }[] } | undefined)?.ServerSideEncryptionConfiguration[0];
      const key = rule?.ServerSideEncryptionByDefault.KMSMasterKeyID;
      return key === undefined ? undefined : (r(stack, key) as string);
    }
  }
  throw new Error(`no bucket ${bucketArn} in the deployment`);
}

function keyOfTopic(d: Deployment, topicArn: string): string | undefined {
  for (const stack of stacksOf(d)) {
    for (const { id, props } of resourcesOf(stack, 'AWS::SNS::Topic')) if (refOf(id, stack.ctx) === topicArn) return props.KmsMasterKeyId === undefined ? undefined : (r(stack, props.KmsMasterKeyId) as string);
  }
  throw new Error(`no topic ${topicArn} in the deployment`);
}

/** A vended-logs delivery (delivery.logs.amazonaws.com) to an S3 destination "arn:aws:s3:::bucket[/prefix]". */
function vendedLogsTo(d: Deployment, destination: string, region: string, because: string, logPath: string): Reliance[] {
  const ACCOUNT = accountOf(d);
  const [bucketArn, ...prefix] = destination.split('/');
  const objectArn = `${[bucketArn, ...prefix].join('/')}/AWSLogs/${ACCOUNT}/${logPath}/${EPOCH_PATH}/object.log.gz`;
  const delivery = S3_DELIVERY.vendedLogs(region, ACCOUNT);
  const out: Reliance[] = [
    {
      resource: bucketArn!,
      principal: 'delivery.logs.amazonaws.com',
      because,
      calls: [
        { call: { action: 's3:GetBucketAcl', resource: bucketArn!, resourceAccount: ACCOUNT, region }, delivery: S3_DELIVERY.vendedLogs(region, ACCOUNT, false) },
        { call: { action: 's3:ListBucket', resource: bucketArn!, resourceAccount: ACCOUNT, region }, delivery: S3_DELIVERY.vendedLogs(region, ACCOUNT, false) },
        { call: { action: 's3:PutObject', resource: objectArn, resourceAccount: ACCOUNT, region }, delivery },
      ],
    },
  ];
  const key = keyOfBucket(d, bucketArn!);
  if (key) {
    const kmsDelivery = { source: S3_DELIVERY.vendedLogs(region, ACCOUNT).source, encryptionContext: ENCRYPTION_CONTEXT.s3(bucketArn!) };
    out.push({ resource: key, principal: 'delivery.logs.amazonaws.com', because, calls: [{ call: { action: 'kms:GenerateDataKey', resource: key }, delivery: kmsDelivery }] });
  }
  return out;
}

function topicReliance(d: Deployment, topicArn: string, principal: string, source: string, because: string): Reliance[] {
  const ACCOUNT = accountOf(d);
  const out: Reliance[] = [{ resource: topicArn, principal, because, calls: [{ call: { action: 'sns:Publish', resource: topicArn }, delivery: { source: { arn: source, account: ACCOUNT } } }] }];
  const key = keyOfTopic(d, topicArn);
  if (key) {
    const delivery: Delivery = { source: { arn: source, account: ACCOUNT }, encryptionContext: ENCRYPTION_CONTEXT.sns(topicArn) };
    out.push({ resource: key, principal, because, calls: ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({ call: { action, resource: key }, delivery })) });
  }
  return out;
}

function reliances(d: Deployment): Reliance[] {
  const ACCOUNT = accountOf(d);
  const out: Reliance[] = [];
  for (const stack of stacksOf(d)) {
    const region = regionOf(stack);
    for (const { props } of resourcesOf(stack, 'AWS::CloudTrail::Trail')) {
      const trailArn = `arn:aws:cloudtrail:${region}:${ACCOUNT}:trail/${r(stack, props.TrailName) as string}`;
      const bucketArn = `arn:aws:s3:::${r(stack, props.S3BucketName) as string}`;
      const objectArn = `${bucketArn}/${r(stack, props.S3KeyPrefix) as string}/AWSLogs/${ACCOUNT}/CloudTrail/${region}/${EPOCH_PATH}/${ACCOUNT}_CloudTrail_${region}_x.json.gz`;
      const because = `trail ${trailArn}`;
      out.push({
        resource: bucketArn,
        principal: 'cloudtrail.amazonaws.com',
        because,
        calls: [
          { call: { action: 's3:GetBucketAcl', resource: bucketArn, resourceAccount: ACCOUNT, region }, delivery: S3_DELIVERY.cloudTrailCheck(trailArn) },
          { call: { action: 's3:PutObject', resource: objectArn, resourceAccount: ACCOUNT, region }, delivery: S3_DELIVERY.cloudTrail(trailArn) },
        ],
      });
      if (props.KMSKeyId !== undefined) {
        const key = r(stack, props.KMSKeyId) as string;
        const delivery: Delivery = { source: { arn: trailArn }, encryptionContext: ENCRYPTION_CONTEXT.cloudTrail(trailArn, objectArn) };
        out.push({ resource: key, principal: 'cloudtrail.amazonaws.com', because, calls: [{ call: { action: 'kms:GenerateDataKey', resource: key }, delivery }] });
      }
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::EC2::FlowLog')) {
      if (props.LogDestinationType !== 's3') throw new Error(`${id}: flow log to ${String(props.LogDestinationType)} not derived here`);
      out.push(...vendedLogsTo(d, r(stack, props.LogDestination) as string, region, `flow log ${id}`, `vpcflowlogs/${region}`));
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::WAFv2::LoggingConfiguration')) {
      for (const dest of list(r(stack, props.LogDestinationConfigs) as string[])) {
        if (!dest.startsWith('arn:aws:s3:::')) throw new Error(`${id}: WAF logging to ${dest} not derived here`);
        out.push(...vendedLogsTo(d, dest, region, `WAF logging ${id}`, `WAFLogs/cloudfront`));
      }
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::Logs::DeliveryDestination')) {
      const dest = r(stack, props.DestinationResourceArn) as string;
      if (!dest.startsWith('arn:aws:s3:::')) throw new Error(`${id}: log delivery to ${dest} not derived here`);
      out.push(...vendedLogsTo(d, dest, region, `log delivery ${id}`, 'CloudFront'));
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::S3::Bucket')) {
      const logging = props.LoggingConfiguration as { DestinationBucketName: unknown; LogFilePrefix?: string } | undefined;
      if (!logging) continue;
      const source = attOf(id, stack.ctx);
      const target = `arn:aws:s3:::${r(stack, logging.DestinationBucketName) as string}`;
      out.push({
        resource: target,
        principal: 'logging.s3.amazonaws.com',
        because: `server access logs of ${source}`,
        calls: [{ call: { action: 's3:PutObject', resource: `${target}/${logging.LogFilePrefix ?? ''}2026-01-15-12-00-00-0123456789ABCDEF`, resourceAccount: ACCOUNT, region }, delivery: S3_DELIVERY.serverAccessLogs(source, ACCOUNT) }],
      });
    }
    for (const { props } of resourcesOf(stack, 'AWS::CloudWatch::Alarm')) {
      const alarmArn = `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${r(stack, props.AlarmName) as string}`;
      const actions = new Set([...list(props.AlarmActions), ...list(props.OKActions), ...list(props.InsufficientDataActions)].map((a) => r(stack, a) as string));
      for (const topic of [...actions].filter((a) => a.startsWith('arn:aws:sns:'))) out.push(...topicReliance(d, topic, 'cloudwatch.amazonaws.com', alarmArn, `alarm ${alarmArn}`));
    }
    for (const { props } of resourcesOf(stack, 'AWS::Budgets::Budget')) {
      const budgetArn = `arn:aws:budgets::${ACCOUNT}:budget/${r(stack, (props.Budget as { BudgetName: unknown }).BudgetName) as string}`;
      const topics = new Set(
        (props.NotificationsWithSubscribers as { Subscribers: { SubscriptionType: string; Address: unknown }[] }[]).flatMap((n) => n.Subscribers.filter((s) => s.SubscriptionType === 'SNS').map((s) => r(stack, s.Address) as string)),
      );
      for (const topic of topics) out.push(...topicReliance(d, topic, 'budgets.amazonaws.com', budgetArn, `budget ${budgetArn}`));
    }
    for (const { props } of resourcesOf(stack, 'AWS::Logs::LogGroup')) {
      if (props.KmsKeyId === undefined) continue;
      const key = r(stack, props.KmsKeyId) as string;
      const groupArn = `arn:aws:logs:${region}:${ACCOUNT}:log-group:${r(stack, props.LogGroupName) as string}`;
      const delivery: Delivery = { encryptionContext: ENCRYPTION_CONTEXT.logs(groupArn) };
      out.push({ resource: key, principal: `logs.${region}.amazonaws.com`, because: `log group ${groupArn}`, calls: ['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({ call: { action, resource: key }, delivery })) });
    }
    for (const { props } of resourcesOf(stack, 'AWS::SNS::Subscription')) {
      const topic = r(stack, props.TopicArn) as string;
      const source = { arn: topic, account: ACCOUNT };
      if (props.Protocol === 'lambda') {
        const fn = r(stack, props.Endpoint) as string;
        out.push({ resource: fn, principal: 'sns.amazonaws.com', because: `subscription of ${fn} to ${topic}`, calls: [{ call: { action: 'lambda:InvokeFunction', resource: fn }, delivery: { source } }] });
      }
      const dlq = (props.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn;
      if (dlq !== undefined) {
        const queue = r(stack, dlq) as string;
        out.push({ resource: queue, principal: 'sns.amazonaws.com', because: `dead letters of ${topic}`, calls: [{ call: { action: 'sqs:SendMessage', resource: queue }, delivery: { source } }] });
      }
    }
    for (const { id, props } of resourcesOf(stack, 'AWS::Events::Rule')) {
      const rule = attOf(id, stack.ctx);
      for (const target of (props.Targets ?? []) as { Arn: unknown }[]) {
        const fn = r(stack, target.Arn) as string;
        if (!fn.startsWith('arn:aws:lambda:')) continue;
        out.push({ resource: fn, principal: 'events.amazonaws.com', because: `schedule ${rule}`, calls: [{ call: { action: 'lambda:InvokeFunction', resource: fn }, delivery: { source: { arn: rule } } }] });
      }
    }
    for (const { props } of resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule')) {
      const fn = r(stack, props.RotationLambdaARN) as string;
      const secret = r(stack, props.SecretId) as string;
      out.push({ resource: fn, principal: 'secretsmanager.amazonaws.com', because: `rotation of ${secret}`, calls: [{ call: { action: 'lambda:InvokeFunction', resource: fn }, delivery: { source: { arn: secret } } }] });
    }
    // Keys: the account administers each through IAM (the key policy's default statement);
    // a key that encrypts a secret is used by Secrets Manager for the account's principals.
    for (const { id } of resourcesOf(stack, 'AWS::KMS::Key')) out.push({ resource: attOf(id, stack.ctx), principal: `AWS:arn:aws:iam::${ACCOUNT}:root`, because: 'key administration through IAM', calls: [] });
  }
  return out;
}

/** Keys that encrypt a secret of the deployment: the account uses them through Secrets Manager. */
function secretKeys(d: Deployment): Set<string> {
  const out = new Set<string>();
  for (const stack of stacksOf(d)) for (const { props } of resourcesOf(stack, 'AWS::SecretsManager::Secret')) if (props.KmsKeyId !== undefined) out.add(r(stack, props.KmsKeyId) as string);
  return out;
}

const relied = (d: Deployment) => [...new Set(reliances(d).map((x) => `${x.resource} <- ${x.principal}`))].sort();

// ---------------------------------------------------------------------------

describe('the principals each resource policy names are exactly those its deployment relies on', () => {
  test('example/prod: every bucket, key, topic, queue, secret and function policy of the five templates', () => {
    const policies = resourcePolicies(example);
    // Every kind of resource policy is present (the derivation below is not vacuous).
    expect(new Set(policies.map((p) => p.arn.split(':')[2]))).toEqual(new Set(['kms', 's3', 'sns', 'sqs', 'secretsmanager', 'lambda']));
    // The account root appears in a key policy twice (kms:* and through Secrets Manager); the set counts it once.
    expect(namedPrincipals(policies)).toEqual(relied(example));
    // Each key that encrypts a secret lets the account use it through Secrets Manager, and no other key does.
    const viaSecretsManager = policies
      .filter((p) => (list(p.doc.Statement) as Statement[]).some((s) => s.Effect === 'Allow' && JSON.stringify(s.Condition ?? {}).includes('"kms:ViaService"')))
      .map((p) => p.arn)
      .sort();
    expect(viaSecretsManager).toEqual([...secretKeys(example)].sort());
  });

  test.each([
    ['acme/prod', () => acme],
    ['example/staging', () => staging],
  ])('%s as well', (_name, d) => {
    expect(namedPrincipals(resourcePolicies(d()))).toEqual(relied(d()));
  });
});

describe('every client x environment of every topology (us-east-1 as the main region, several clients in one account)', () => {
  // The 12 deployments of test/support/topologies.ts, each derived and simulated like example/prod above.
  let all: { name: string; d: Deployment }[] = [];
  beforeAll(() => {
    all = topologies().built.deployments.map(({ config, stage }) => ({ name: `${config.client}/${config.env}`, d: { p: deploymentPolicies(config, stage), artifacts: stage.synth().stacks } }));
  }, 600_000);

  test('the principals each resource policy names are exactly those its deployment relies on, and each relied-on delivery is allowed', async () => {
    const failures: string[] = [];
    const names: string[] = [];
    for (const { name, d } of all) {
      names.push(name);
      const policies = resourcePolicies(d);
      const named = namedPrincipals(policies);
      const needed = relied(d);
      if (JSON.stringify(named) !== JSON.stringify(needed)) failures.push(`${name}: names ${JSON.stringify(named)}, relies on ${JSON.stringify(needed)}`);
      for (const x of reliances(d)) {
        if (x.principal.startsWith('AWS:')) continue;
        const policy = policies.find((p) => p.arn === x.resource);
        if (!policy) {
          failures.push(`${name}: ${x.resource}: no resource policy, but ${x.principal} must call it for ${x.because}`);
          continue;
        }
        for (const { call, delivery } of x.calls) {
          const withAliases = call.action.startsWith('kms:') ? { ...call, keyAliases: keyAliasesOf(stacksOf(d), call.resource) } : call;
          const decision = await decide(serviceActor(x.principal), withAliases, policy.doc, delivery);
          if (decision !== 'Allow') failures.push(`${name}: ${x.principal} ${call.action} on ${call.resource} (${x.because}): ${decision}`);
        }
      }
    }
    expect(names).toEqual(TOPOLOGY_CLIENTS.flatMap((c) => ['dev', 'prod', 'staging'].map((e) => `${c}/${e}`)));
    expect(failures).toEqual([]);
  }, 600_000);

  test('no statement of any template uses NotPrincipal (where the simulator departs from AWS: test/support/iam-semantics.test.ts)', () => {
    const found = all.flatMap(({ name, d }) => d.artifacts.filter((a) => JSON.stringify(a.template).includes('"NotPrincipal"')).map((a) => `${name}: ${a.stackName}`));
    expect(all).toHaveLength(12);
    expect(found).toEqual([]);
  });

  test('every secret: an administrator\'s UpdateSecret (which can write the value) is denied, its own stack\'s CloudFormation execution role\'s (a day-2 update) allowed', async () => {
    const decisions: string[] = [];
    const expected: string[] = [];
    for (const { name, d } of all) {
      const admin = adminPrincipal(`arn:aws:iam::${accountOf(d)}:role/Administrator`);
      const policies = resourcePolicies(d);
      for (const stack of stacksOf(d)) {
        const artifact = d.artifacts.find((a) => JSON.stringify(a.template) === JSON.stringify(stack.template))!;
        const cfn = adminPrincipal(executionRoleOf(artifact));
        for (const { id } of resourcesOf(stack, 'AWS::SecretsManager::Secret')) {
          const arn = arnOf(id, stack.ctx);
          const doc = policies.find((p) => p.arn === arn)?.doc;
          const call = { action: 'secretsmanager:UpdateSecret', resource: arn };
          decisions.push(`${name} ${arn}: administrator ${await decide(admin, call, doc)}, execution role ${await decide(cfn, call, doc)}`);
          expected.push(`${name} ${arn}: administrator ExplicitDeny, execution role Allow`);
        }
      }
    }
    expect(expected.length).toBeGreaterThanOrEqual(TOPOLOGY_CLIENTS.length * 3 * 3);
    expect(decisions).toEqual(expected);
  });
});

describe('each relied-on actor\'s real calls are allowed', () => {
  test('example/prod: every delivery, with the request context AWS sends', async () => {
    const policies = resourcePolicies(example);
    const failures: string[] = [];
    let calls = 0;
    for (const x of reliances(example)) {
      if (x.principal.startsWith('AWS:')) continue;
      const policy = policies.find((p) => p.arn === x.resource);
      if (!policy) {
        failures.push(`${x.resource}: no resource policy, but ${x.principal} must call it for ${x.because}`);
        continue;
      }
      for (const { call, delivery } of x.calls) {
        calls++;
        const withAliases = call.action.startsWith('kms:') ? { ...call, keyAliases: keyAliasesOf(stacksOf(example), call.resource) } : call;
        const decision = await decide(serviceActor(x.principal), withAliases, policy.doc, delivery);
        if (decision !== 'Allow') failures.push(`${x.principal} ${call.action} on ${call.resource} (${x.because}): ${decision}`);
      }
    }
    expect(calls).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  test('the Firehose delivery role writes the audit bucket (its stream\'s destination), and S3 encrypts for it with the deployment key', async () => {
    const core = example.p.core;
    const stream = resourcesOf(core, 'AWS::KinesisFirehose::DeliveryStream')[0]!.props.ExtendedS3DestinationConfiguration as { RoleARN: { 'Fn::GetAtt': [string, string] }; BucketARN: unknown; Prefix: string };
    const role = rolePrincipal(core, stream.RoleARN['Fn::GetAtt'][0]);
    const bucketArn = r(core, stream.BucketARN) as string;
    const policy = resourcePolicies(example).find((p) => p.arn === bucketArn)!;
    const object = `${bucketArn}/cloudwatch-logs/${EPOCH_PATH}/stream-1-2026-01-15-12-00-00-x`;
    expect(await decide(role, { action: 's3:PutObject', resource: object, resourceAccount: ACCOUNT, region: example.p.config.aws.region }, policy.doc)).toBe('Allow');
    // The bucket is SSE-KMS: S3 asks KMS for the object's data key with the role's credentials, so the key policy decides too.
    const key = keyOfBucket(example, bucketArn)!;
    const keyPolicy = resourcePolicies(example).find((p) => p.arn === key)!;
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const { request, policies } = kmsCallThrough(role, { service: 's3', bucketArn }, action, key, keyAliasesOf(stacksOf(example), key));
      expect([action, await simulate(request, { ...policies, resource: keyPolicy.doc })]).toEqual([action, 'Allow']);
    }
  });
});

describe('secrets: the readers and writers each secret policy excepts are derived from the templates', () => {
  /** The CloudFormation execution role of each stack that holds {{resolve:secretsmanager:<secret>...}}. */
  function resolvers(d: Deployment, secret: string): string[] {
    const names = new Set(dynamicReferences(d.artifacts, stacksOf(d)).filter((x) => x.secretId === secret).map((x) => x.stackName));
    return [...new Set(d.artifacts.filter((a) => names.has(a.stackName)).map(executionRoleOf))];
  }
  const exceptedBy = (doc: PolicyDocument, sid: string) =>
    ((list(doc.Statement) as Statement[]).find((s) => s.Sid === sid)!.Condition!.StringNotEquals!['aws:PrincipalArn'] as string[]).slice().sort();

  test.each([
    ['example/prod', () => example],
    ['acme/prod', () => acme],
    ['example/staging', () => staging],
  ])('%s', (_name, get) => {
    const d = get();
    const host = attOf(roleId(d.p.gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host'), d.p.gateway.ctx);
    const breakGlass = `arn:aws:iam::${accountOf(d)}:role/${d.p.config.breakGlass.roleName}`;
    const secrets = resourcePolicies(d).filter((p) => p.arn.startsWith('arn:aws:secretsmanager:'));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const stack of stacksOf(d)) {
      for (const { id } of resourcesOf(stack, 'AWS::SecretsManager::Secret')) {
        const secret = arnOf(id, stack.ctx);
        const rotation = resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule')
          .filter((s) => r(stack, s.props.SecretId) === secret)
          .map((s) => {
            const fnName = (r(stack, s.props.RotationLambdaARN) as string).split(':').pop();
            const fn = resourcesOf(stack, 'AWS::Lambda::Function').find((f) => f.props.FunctionName === fnName)!;
            return r(stack, fn.props.Role) as string;
          });
        const doc = secrets.find((p) => p.arn === secret)?.doc;
        expect([secret, doc !== undefined]).toEqual([secret, true]);
        expect([secret, exceptedBy(doc!, 'DenyValueReadsButOwnHostAndBreakGlass')]).toEqual([secret, [host, ...rotation, breakGlass, ...resolvers(d, secret)].sort()]);
        expect([secret, exceptedBy(doc!, 'DenyValueWritesButRotationAndBreakGlass')]).toEqual([secret, [...rotation, breakGlass].sort()]);
        // UpdateSecret can write the value too; CloudFormation's execution role of the secret's own stack updates the secret on a day-2 deploy.
        const ownStack = d.artifacts.find((a) => JSON.stringify(a.template) === JSON.stringify(stack.template))!;
        expect([secret, exceptedBy(doc!, 'DenyUpdatesButOwnStackRotationAndBreakGlass')]).toEqual([secret, [...rotation, executionRoleOf(ownStack), breakGlass].sort()]);
      }
    }
  });
});

describe('what must be denied, simulated the same way', () => {
  const GET = 'secretsmanager:GetSecretValue';
  const onPolicy = async (d: Deployment, who: Parameters<typeof decide>[0], call: Call): Promise<Decision> => {
    const policy = resourcePolicies(d).find((p) => p.arn === call.resource || call.resource.startsWith(`${p.arn}/`));
    return decide(who, call, policy?.doc);
  };

  test.each([
    ['example/prod', () => example],
    ['acme/prod', () => acme],
    ['example/staging', () => staging],
    ['example/dev', () => dev],
  ])('%s: an account administrator (AdministratorAccess) reads, writes (PutSecretValue, UpdateSecretVersionStage, UpdateSecret) no secret value and plants or deletes no audit object', async (_name, get) => {
    const d = get();
    const admin = adminPrincipal(`arn:aws:iam::${accountOf(d)}:role/Administrator`);
    const secrets = resourcePolicies(d).filter((p) => p.arn.startsWith('arn:aws:secretsmanager:'));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const p of resourcePolicies(d)) {
      if (p.arn.startsWith('arn:aws:secretsmanager:')) {
        for (const action of [GET, 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:UpdateSecret']) {
          expect([p.arn, action, await onPolicy(d, admin, { action, resource: p.arn })]).toEqual([p.arn, action, 'ExplicitDeny']);
        }
      }
      if (p.arn.startsWith('arn:aws:s3:::')) {
        for (const action of ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion']) {
          const call = { action, resource: `${p.arn}/AWSLogs/${accountOf(d)}/x`, resourceAccount: accountOf(d), region: p.arn.includes('waf') ? 'us-east-1' : d.p.config.aws.region };
          expect([p.arn, action, await onPolicy(d, admin, call)]).toEqual([p.arn, action, 'ExplicitDeny']);
        }
      }
    }
  });

  test.each([
    ['another client\'s host (acme/prod) reads none of example/prod\'s secrets', () => acme, () => example],
    ['another environment\'s host (example/dev) reads none of example/staging\'s secrets', () => dev, () => staging],
  ])('%s (same account) and decrypts nothing with its keys', async (_name, other, target) => {
    expect(accountOf(other())).toBe(accountOf(target()));
    const host = rolePrincipal(other().p.gateway, roleId(other().p.gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host'));
    const policies = resourcePolicies(target());
    const secrets = policies.filter((p) => p.arn.startsWith('arn:aws:secretsmanager:'));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const p of secrets) expect([p.arn, await decide(host, { action: GET, resource: p.arn }, p.doc)]).toEqual([p.arn, 'ExplicitDeny']);
    for (const p of policies.filter((x) => x.arn.startsWith('arn:aws:kms:'))) {
      const keyAliases = keyAliasesOf(stacksOf(target()), p.arn);
      expect([p.arn, await decide(host, { action: 'kms:Decrypt', resource: p.arn, keyAliases }, p.doc)]).toEqual([p.arn, 'ImplicitDeny']);
      for (const secret of secrets) {
        const { request, policies: identity } = kmsCallThrough(host, { service: 'secretsmanager', secretArn: secret.arn }, 'kms:Decrypt', p.arn, keyAliases);
        expect([p.arn, secret.arn, await simulate(request, { ...identity, resource: p.doc })]).toEqual([p.arn, secret.arn, 'ImplicitDeny']);
      }
    }
  });
});

describe('CloudFormation\'s execution role updates and deletes what its stack manages', () => {
  /**
   * The calls CloudFormation makes to update a resource with a policy in place
   * (the permissions its resource types' handlers declare, "handlers.update.permissions"
   * in https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html;
   * a subset: those a resource policy here could deny), and to delete
   * it when its DeletionPolicy lets it. The execution role is the CDK
   * bootstrap's cfn-exec role with AdministratorAccess; the resource's own
   * policy still applies.
   */
  const UPDATE: Readonly<Record<string, { readonly update: readonly string[]; readonly delete: readonly string[]; readonly arn: (s: StackPolicies, id: string) => string }>> = {
    'AWS::KMS::Key': { update: ['kms:PutKeyPolicy', 'kms:DescribeKey', 'kms:EnableKeyRotation', 'kms:TagResource'], delete: ['kms:ScheduleKeyDeletion'], arn: (s, id) => attOf(id, s.ctx) },
    'AWS::S3::Bucket': { update: ['s3:PutBucketPolicy', 's3:PutBucketTagging', 's3:PutLifecycleConfiguration'], delete: ['s3:DeleteBucket'], arn: (s, id) => attOf(id, s.ctx) },
    'AWS::SNS::Topic': { update: ['sns:SetTopicAttributes', 'sns:TagResource'], delete: ['sns:DeleteTopic'], arn: (s, id) => refOf(id, s.ctx) },
    'AWS::SQS::Queue': { update: ['sqs:SetQueueAttributes', 'sqs:TagQueue'], delete: ['sqs:DeleteQueue'], arn: (s, id) => attOf(id, s.ctx) },
    'AWS::SecretsManager::Secret': { update: ['secretsmanager:PutResourcePolicy', 'secretsmanager:UpdateSecret', 'secretsmanager:TagResource'], delete: ['secretsmanager:DeleteSecret'], arn: (s, id) => arnOf(id, s.ctx) },
  };

  test.each([
    ['example/prod', () => example],
    ['acme/prod', () => acme],
    ['example/staging', () => staging],
    ['example/dev', () => dev],
  ])('%s: every key, bucket, topic, queue and secret with a resource policy', async (_name, get) => {
    const d = get();
    const policies = resourcePolicies(d);
    const found: string[] = [];
    const failures: string[] = [];
    for (const stack of stacksOf(d)) {
      const artifact = d.artifacts.find((a) => JSON.stringify(a.template) === JSON.stringify(stack.template))!;
      const cfn = adminPrincipal(executionRoleOf(artifact));
      for (const [type, spec] of Object.entries(UPDATE)) {
        for (const { id } of resourcesOf(stack, type)) {
          const arn = spec.arn(stack, id);
          const policy = policies.find((p) => p.arn === arn);
          if (!policy) continue;
          const retained = ['Retain', 'RetainExceptOnCreate'].includes(String((stack.template.Resources![id] as { DeletionPolicy?: string }).DeletionPolicy));
          found.push(`${type} ${retained ? 'retained' : 'deleted with the stack'}`);
          for (const action of [...spec.update, ...(retained ? [] : spec.delete)]) {
            const decision = await decide(cfn, { action, resource: arn, ...(arn.startsWith('arn:aws:s3:::') ? { resourceAccount: accountOf(d), region: stack.ctx.region } : {}) }, policy.doc);
            if (decision !== 'Allow') failures.push(`${cfn.arn} ${action} on ${arn}: ${decision}`);
          }
        }
      }
    }
    expect(new Set(found.map((f) => f.split(' ')[0]))).toEqual(new Set(Object.keys(UPDATE)));
    expect(failures).toEqual([]);
  });
});

describe('the roles the secrets rely on make their real calls', () => {
  /** The key policy of the key with this ARN, from whichever stack holds it. */
  const keyPolicy = (d: Deployment, keyArn: string) => resourcePolicies(d).find((p) => p.arn === keyArn)!.doc;
  const secretsOf = (d: Deployment) =>
    stacksOf(d).flatMap((stack) => resourcesOf(stack, 'AWS::SecretsManager::Secret').map(({ id, props }) => ({ stack, arn: arnOf(id, stack.ctx), key: r(stack, props.KmsKeyId) as string })));

  test('the host reads every secret of its deployment, Secrets Manager decrypting with the secret\'s key for it', async () => {
    const host = rolePrincipal(example.p.gateway, roleId(example.p.gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host'));
    const policies = resourcePolicies(example);
    const secrets = secretsOf(example);
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    for (const s of secrets) {
      const doc = policies.find((p) => p.arn === s.arn)!.doc;
      expect([s.arn, await decide(host, { action: 'secretsmanager:GetSecretValue', resource: s.arn }, doc)]).toEqual([s.arn, 'Allow']);
      const { request, policies: identity } = kmsCallThrough(host, { service: 'secretsmanager', secretArn: s.arn }, 'kms:Decrypt', s.key, keyAliasesOf(stacksOf(example), s.key));
      expect([s.arn, await simulate(request, { ...identity, resource: keyPolicy(example, s.key) })]).toEqual([s.arn, 'Allow']);
    }
  });

  test('each rotation function (from the rotation schedules) makes the calls of its rotation, on its secret', async () => {
    const policies = resourcePolicies(example);
    let schedules = 0;
    for (const stack of stacksOf(example)) {
      for (const { props } of resourcesOf(stack, 'AWS::SecretsManager::RotationSchedule')) {
        schedules++;
        const secret = r(stack, props.SecretId) as string;
        const fnName = (r(stack, props.RotationLambdaARN) as string).split(':').pop();
        const fn = resourcesOf(stack, 'AWS::Lambda::Function').find((f) => f.props.FunctionName === fnName)!;
        const roleLogicalId = (fn.props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const role = rolePrincipal(stack, roleLogicalId);
        const doc = policies.find((p) => p.arn === secret)!.doc;
        // lambda/rotate-secret: DescribeSecret, GetSecretValue, PutSecretValue, UpdateSecretVersionStage, GetRandomPassword.
        for (const action of ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage']) {
          expect([secret, action, await decide(role, { action, resource: secret }, doc)]).toEqual([secret, action, 'Allow']);
        }
        expect(await decide(role, { action: 'secretsmanager:GetRandomPassword', resource: '*', region: stack.ctx.region })).toBe('Allow');
        const key = secretsOf(example).find((s) => s.arn === secret)!.key;
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          const { request, policies: identity } = kmsCallThrough(role, { service: 'secretsmanager', secretArn: secret }, action, key, keyAliasesOf(stacksOf(example), key));
          expect([secret, action, await simulate(request, { ...identity, resource: keyPolicy(example, key) })]).toEqual([secret, action, 'Allow']);
        }
      }
    }
    // One per gateway token (one gateway per agent), and the origin-verify header's.
    expect(schedules).toBe(3); // ops's and support's tokens, origin-verify
  });
});
