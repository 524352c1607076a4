import * as path from 'path';
import { CfnManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BLUEPRINT_ACK_METADATA } from '../../lib/gate/acknowledge';
import { agentSecretName, gatewayTokenSecretName, originVerifySecretName } from '../../lib/secrets/secrets-manifest';
import type { DeploymentStage } from '../../lib/deployment-stage';
import { buildForTest } from '../support/build';
import { acmeClientFiles, configFixture } from '../support/config-fixture';
import { decide, deploymentPolicies, keyAliasesOf, logicalIdWhere, roleId, rolePrincipal, type DeploymentPolicies, type StackPolicies } from '../support/deployment-policies';
import { arnOf, attOf, refOf, resolveIntrinsics } from '../support/iam-intrinsics';
import { recordKillSwitchCalls, callOfRecorded } from '../support/kill-switch-calls';
import { ENCRYPTION_CONTEXT, kmsCallThrough, roleActor, serviceActor, serviceCall, type Call, type RoleActor } from '../support/request-context';
import { attachedManagedPolicies, type PolicyDocument } from '../support/role-policies';
import { simulate } from '../support/simulator';
import type { PolicyDocument as StrictPolicyDocument } from '../support/template-policies';
import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';

// The spend circuit breaker of example/prod: budgets -> topics -> kill switch, the 1-minute
// model-spend alarms, and what the kill switch may touch: simulated with iam-simulate
// (test/support/simulator.ts) with the request context AWS sends (test/support/request-context.ts), not counted.

const NAME = 'openclaw-example-prod';
const ACCOUNT = '210987654321';
const REGION = 'eu-west-1';
// A second client, acme/prod, in the same account (its host role must stay out of example's kill switch's reach).
// prod needs a custom domain (viewer-tls-default-certificate): the fixture keeps one.
const configDir = path.join(configFixture(acmeClientFiles(ACCOUNT)), 'config');
let p: DeploymentPolicies;
let acme: DeploymentPolicies;
let stage: DeploymentStage;
let spend: Template;
let core: Template;

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'prod' }, configDir);
  const { config } = built.deployments[0]!;
  stage = built.deployments[0]!.stage;
  p = deploymentPolicies(config, stage);
  spend = Template.fromStack(stage.spend);
  core = Template.fromStack(stage.core);
  const other = buildForTest({ client: 'acme', env: 'prod' }, configDir).deployments[0]!;
  acme = deploymentPolicies(other.config, other.stage);
});

const topicId = (purpose: 'alerts' | 'shutdown') => logicalIdWhere(p.core, 'AWS::SNS::Topic', 'TopicName', `${NAME}-${purpose}`);
const BUDGETS = serviceActor('budgets.amazonaws.com');
const importOf = (purpose: 'alerts' | 'shutdown') => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`core:ExportsOutputRef${purpose === 'alerts' ? 'Alerts' : 'Shutdown'}Topic`) });

describe('AWS Budgets', () => {
  test('a monthly and a daily cost budget from config, over this deployment\'s cost allocation tag', () => {
    for (const [suffix, unit, amount] of [
      ['monthly', 'MONTHLY', 60],
      ['daily', 'DAILY', 5],
    ] as const) {
      spend.hasResourceProperties('AWS::Budgets::Budget', {
        Budget: {
          BudgetName: `${NAME}-${suffix}`,
          BudgetType: 'COST',
          TimeUnit: unit,
          BudgetLimit: { Amount: amount, Unit: 'USD' },
          CostFilters: { TagKeyValue: [`user:openclaw:deployment$${NAME}`] },
        },
      });
    }
  });

  test('50, 75 and 90 % tell the alert topic; 100 % the alert topic and the shutdown topic (the kill switch)', () => {
    for (const budget of Object.values(spend.findResources('AWS::Budgets::Budget'))) {
      const notifications = (budget as { Properties: { NotificationsWithSubscribers: { Notification: { Threshold: number }; Subscribers: unknown[] }[] } }).Properties.NotificationsWithSubscribers;
      expect(notifications.map((n) => n.Notification)).toEqual(
        [50, 75, 90, 100].map((t) => ({ NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: t, ThresholdType: 'PERCENTAGE' })),
      );
      for (const n of notifications) {
        const expected = [{ SubscriptionType: 'SNS', Address: importOf('alerts') }];
        if (n.Notification.Threshold === 100) expected.push({ SubscriptionType: 'SNS', Address: importOf('shutdown') });
        // Match patterns (the topic ARNs are cross-stack imports) through a one-resource template.
        Template.fromJSON({ Resources: { X: { Type: 'T', Properties: { S: n.Subscribers } } } }).hasResourceProperties('T', { S: expected });
      }
    }
  });

  test('the topic policies let budgets.amazonaws.com publish only for this account\'s budgets of this deployment (else notifications vanish)', async () => {
    for (const purpose of ['alerts', 'shutdown'] as const) {
      const topic = topicId(purpose);
      const [policy] = Object.values(p.core.template.Resources!).filter((r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties!.Topics) === JSON.stringify([{ Ref: topic }]));
      const doc = resolveIntrinsics(policy!.Properties!.PolicyDocument, p.core.ctx) as PolicyDocument;
      // Budgets publishing for one of its budgets: aws:SourceArn = the budget, aws:SourceAccount = its account (request-context.ts).
      const topicArn = refOf(topic, p.core.ctx);
      const budget = (name: string, account = ACCOUNT) => ({ arn: `arn:aws:budgets::${account}:budget/${name}`, account });
      const publish = (source: { arn: string; account: string }) =>
        simulate(serviceCall(BUDGETS, { action: 'sns:Publish', resource: topicArn }, { source }).request, { identity: [], resource: doc as StrictPolicyDocument });
      expect(await publish(budget(`${NAME}-monthly`))).toBe('Allow');
      expect(await publish(budget(`${NAME}-daily`))).toBe('Allow');
      expect(await publish(budget('someone-else'))).not.toBe('Allow');
      expect(await publish(budget(`${NAME}-monthly`, '999999999999'))).not.toBe('Allow');
      // SNS asks KMS for the data key on Budgets' behalf, with the topic ARN as encryption context
      // (ENCRYPTION_CONTEXT.sns): the key policy lets it for this topic, not for the other one.
      const key = logicalIdWhere(p.core, 'AWS::KMS::Alias', 'AliasName', 'alias/openclaw/example/prod');
      const keyId = (p.core.template.Resources![key]!.Properties!.TargetKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const keyArn = attOf(keyId, p.core.ctx);
      const keyPolicy = resolveIntrinsics(p.core.template.Resources![keyId]!.Properties!.KeyPolicy, p.core.ctx) as StrictPolicyDocument;
      const dataKey = (action: string, forTopic: string, source = budget(`${NAME}-monthly`)) =>
        simulate(serviceCall(BUDGETS, { action, resource: keyArn }, { source, encryptionContext: ENCRYPTION_CONTEXT.sns(forTopic) }).request, { identity: [], resource: keyPolicy });
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        expect([action, await dataKey(action, topicArn)]).toEqual([action, 'Allow']);
        expect([action, await dataKey(action, `arn:aws:sns:${REGION}:${ACCOUNT}:someone-elses-topic`)]).toEqual([action, 'ImplicitDeny']);
        expect([action, await dataKey(action, topicArn, budget(`${NAME}-monthly`, '999999999999'))]).toEqual([action, 'ImplicitDeny']);
      }
    }
  });
});

describe('model-spend alarms (the fast breaker)', () => {
  const alarm = (id: string) => {
    const found = Object.values(spend.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: `${NAME}-${id}` } }));
    expect(found).toHaveLength(1);
    return (found[0] as { Properties: Record<string, unknown> }).Properties;
  };

  test.each([
    ['daily', 'ModelSpendTodayUsd', 5],
    ['monthly', 'ModelSpendMonthUsd', 50],
  ] as const)('%s: 1-minute alarms at 50/75/90 %% to the alert topic, 100 %% also to the shutdown topic', (period, metric, limit) => {
    for (const pct of [50, 75, 90]) {
      expect(alarm(`model-spend-${period}-${pct}`)).toMatchObject({
        Namespace: `OpenClaw/${NAME}`,
        MetricName: metric,
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: (limit * pct) / 100,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      const actions = JSON.stringify(alarm(`model-spend-${period}-${pct}`).AlarmActions);
      expect(actions).toMatch(/core:ExportsOutputRefAlertsTopic/);
      expect(actions).not.toMatch(/Shutdown/);
    }
    const atLimit = alarm(`model-spend-${period}-limit`);
    expect(atLimit).toMatchObject({ MetricName: metric, Period: 60, Threshold: limit });
    expect(JSON.stringify(atLimit.AlarmActions)).toMatch(/core:ExportsOutputRefAlertsTopic/);
    expect(JSON.stringify(atLimit.AlarmActions)).toMatch(/core:ExportsOutputRefShutdownTopic/);
    expect(JSON.stringify(atLimit.OKActions)).not.toMatch(/Shutdown/);
  });

  test('a silent meter is not "not breaching": 15 minutes without a figure alarms', () => {
    expect(alarm('spend-meter-silent')).toMatchObject({
      Namespace: `OpenClaw/${NAME}`,
      MetricName: 'ModelSpendMonthUsd',
      Statistic: 'SampleCount',
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('the kill switch acts only on the two limit alarms', () => {
    spend.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TRIGGER_ALARMS: `${NAME}-model-spend-daily-limit,${NAME}-model-spend-monthly-limit` }) },
    });
  });
});

describe('the kill switch', () => {
  const FUNCTION = `${NAME}-kill-switch`;
  const logicalIdsOf = (stack: StackPolicies, type: string) => Object.entries(stack.template.Resources!).filter(([, r]) => r.Type === type).map(([id]) => id);
  const instanceArn = () => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${refOf(logicalIdsOf(p.gateway, 'AWS::EC2::Instance')[0]!, p.gateway.ctx)}`;
  const hostRoleOf = (d: DeploymentPolicies) => roleId(d.gateway, 'ec2.amazonaws.com', 'OpenClaw gateway host');
  const hostRoleArn = (d: DeploymentPolicies = p) => attOf(hostRoleOf(d), d.gateway.ctx);
  const killSwitchRole = () => roleId(p.spend, 'lambda.amazonaws.com', 'Kill switch of');
  const managedPolicyWhere = (stack: StackPolicies, descriptionPrefix: string) => {
    const ids = logicalIdsOf(stack, 'AWS::IAM::ManagedPolicy').filter((id) => String(stack.template.Resources![id]!.Properties!.Description).startsWith(descriptionPrefix));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const denyPolicyId = () => managedPolicyWhere(p.spend, `Kill switch of ${NAME}: attached to the host role`);
  /** The function's environment as deployed (cross-stack imports resolved): what the Lambda reads and sends. */
  const environment = () => {
    const [fn] = Object.values(p.spend.template.Resources!).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties!.FunctionName === FUNCTION);
    return resolveIntrinsics((fn!.Properties!.Environment as { Variables: unknown }).Variables, p.spend.ctx) as Record<string, string>;
  };
  /** The kill switch as AWS sees it: a session of its role, with the role's policies as synthesized. */
  const killSwitch = (): RoleActor => rolePrincipal(p.spend, killSwitchRole());
  /** A call of the kill switch with the request's parameters: IAM is global and signed for us-east-1; the rest in the deployment's region. */
  const call = (action: string, resource: string, parameters: Record<string, unknown> = {}) =>
    decide(killSwitch(), { action, resource, region: action.startsWith('iam:') || action.startsWith('cloudfront:') ? 'us-east-1' : REGION, parameters });
  /** AttachRolePolicy / DetachRolePolicy as the kill switch sends them (lambda/kill-switch/deny-secrets.ts): RoleName and PolicyArn, which AWS puts into iam:PolicyARN (the host role has no permissions boundary, so no iam:PermissionsBoundary). */
  const onRole = (action: 'iam:AttachRolePolicy' | 'iam:DetachRolePolicy', roleArn: string, policyArn: string) => call(action, roleArn, { RoleName: roleArn.split('/').pop(), PolicyArn: policyArn });

  test('arm64, Node 24, its dead-letter queue, retried twice, subscribed to the shutdown topic, invocable by it only', () => {
    spend.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: FUNCTION,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KillSwitchDeadLetters'), 'Arn'] } },
      Environment: {
        Variables: Match.objectLike({ CLIENT: 'example', ENV: 'prod', INSTANCE_REGION: REGION, DENY_SECRETS: 'true', DISABLE_DISTRIBUTION: 'false', DRY_RUN: 'false' }),
      },
    });
    spend.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    spend.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: importOf('shutdown'), RedrivePolicy: Match.anyValue() });
    spend.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'sns.amazonaws.com', SourceArn: importOf('shutdown'), SourceAccount: ACCOUNT });
    expect(logicalIdsOf(p.spend, 'AWS::IAM::Policy')).toEqual([]);
  });

  test('every call the function makes (a kill, a restore, a status), with the parameters it sends, is allowed by its role as synthesized', async () => {
    const reason = 'spend.test.ts: the calls of a kill and a restore';
    const { calls, invocations } = await recordKillSwitchCalls(environment(), REGION, [
      { action: 'kill', reason, requestedBy: 'test' },
      { action: 'restore', reason, requestedBy: 'test' },
      { action: 'status', reason, requestedBy: 'test' },
    ]);
    expect(invocations.filter((i) => i.error !== undefined)).toEqual([]);
    // What the function did: stop, deny, record, tell, count; then detach, start, record, tell.
    expect([...new Set(calls.map((c) => c.action))].sort()).toEqual([
      'cloudwatch:PutMetricData',
      'ec2:DescribeInstances',
      'ec2:StartInstances',
      'ec2:StopInstances',
      'iam:AttachRolePolicy',
      'iam:DetachRolePolicy',
      'sns:Publish',
      'ssm:GetParameter',
      'ssm:PutParameter',
    ]);
    const decisions: string[] = [];
    for (const c of calls) {
      const asked = callOfRecorded(c, ACCOUNT);
      if (asked.action !== 'sns:Publish') {
        decisions.push(`${asked.action} ${asked.resource}: ${await decide(killSwitch(), asked)}`);
        continue;
      }
      // A publish is decided by the topic's policy too, and SNS asks KMS for the message's data key with
      // the function's credentials (kms:ViaService sns, the topic as encryption context): by the key policy too.
      const topicId = logicalIdWhere(p.core, 'AWS::SNS::Topic', 'TopicName', asked.resource.split(':').pop()!);
      const [topicPolicy] = Object.values(p.core.template.Resources!).filter((r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties!.Topics) === JSON.stringify([{ Ref: topicId }]));
      decisions.push(`${asked.action} ${asked.resource}: ${await decide(killSwitch(), asked, resolveIntrinsics(topicPolicy!.Properties!.PolicyDocument, p.core.ctx) as StrictPolicyDocument)}`);
      const keyId = (p.core.template.Resources![topicId]!.Properties!.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const keyPolicy = resolveIntrinsics(p.core.template.Resources![keyId]!.Properties!.KeyPolicy, p.core.ctx) as StrictPolicyDocument;
      for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
        const { request, policies } = kmsCallThrough(killSwitch(), { service: 'sns', topicArn: asked.resource }, action, attOf(keyId, p.core.ctx), keyAliasesOf([p.core], attOf(keyId, p.core.ctx)));
        decisions.push(`${action} for ${asked.resource}: ${await simulate(request, { ...policies, resource: keyPolicy })}`);
      }
    }
    expect(decisions.filter((d) => !d.endsWith(': Allow'))).toEqual([]);
    expect(decisions.filter((d) => d.startsWith('kms:'))).toHaveLength(2 * calls.filter((c) => c.action === 'sns:Publish').length);
    expect(decisions).toContain(`ec2:StopInstances ${instanceArn()}: Allow`);
    expect(decisions).toContain(`iam:AttachRolePolicy ${hostRoleArn()}: Allow`);
  });

  test('a failed invocation is dead-lettered with the function\'s own credentials (Lambda\'s DeadLetterConfig): SendMessage on its queue is allowed by its role and the queue policy, on no other queue', async () => {
    const [fn] = Object.values(p.spend.template.Resources!).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties!.FunctionName === FUNCTION);
    const queueId = ((fn!.Properties!.DeadLetterConfig as { TargetArn: { 'Fn::GetAtt': [string, string] } }).TargetArn)['Fn::GetAtt'][0];
    const queueArn = attOf(queueId, p.spend.ctx);
    const [queuePolicy] = Object.values(p.spend.template.Resources!).filter((r) => r.Type === 'AWS::SQS::QueuePolicy' && JSON.stringify(r.Properties!.Queues) === JSON.stringify([{ Ref: queueId }]));
    const send = (arn: string) => decide(killSwitch(), { action: 'sqs:SendMessage', resource: arn, region: REGION }, resolveIntrinsics(queuePolicy!.Properties!.PolicyDocument, p.spend.ctx) as StrictPolicyDocument);
    expect(await send(queueArn)).toBe('Allow');
    expect(await send(`arn:aws:sqs:${REGION}:${ACCOUNT}:another-queue`)).toBe('ImplicitDeny');
  });

  test('can stop and start the gateway instance, and no other; can never terminate', async () => {
    expect(await call('ec2:StopInstances', instanceArn())).toBe('Allow');
    expect(await call('ec2:StartInstances', instanceArn())).toBe('Allow');
    expect(await call('ec2:StopInstances', `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`)).toBe('ImplicitDeny');
    expect(await call('ec2:TerminateInstances', instanceArn())).toBe('ImplicitDeny');
  });

  describe('deny secrets: a CloudFormation-managed deny policy, attached and detached under iam:PolicyARN', () => {
    const ADMINISTRATOR_ACCESS = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const denyArn = () => refOf(denyPolicyId(), p.spend.ctx);
    /** Every other policy the kill switch could name: AWS's, the host's own, the kill switch's own, another client's deny policy, one of the same name in another account. */
    const otherPolicies = () => [
      ADMINISTRATOR_ACCESS,
      'arn:aws:iam::aws:policy/SecretsManagerReadWrite',
      ...attachedManagedPolicies(p.gateway.template, hostRoleOf(p), p.gateway.ctx),
      ...attachedManagedPolicies(p.spend.template, killSwitchRole(), p.spend.ctx),
      refOf(managedPolicyWhere(acme.spend, 'Kill switch of openclaw-acme-prod: attached to the host role'), acme.spend.ctx),
      denyArn().replace(`:${ACCOUNT}:`, ':999999999999:'),
    ];
    /** Every other role: an administrator, another client's host role, the kill switch's own role. */
    const otherRoles = () => [`arn:aws:iam::${ACCOUNT}:role/Administrator`, hostRoleArn(acme), attOf(killSwitchRole(), p.spend.ctx)];

    test('its environment names the host role and the deny policy the template creates: the request the kill switch sends', () => {
      const env = environment();
      expect(env.HOST_ROLE_NAME).toBe(refOf(hostRoleOf(p), p.gateway.ctx));
      expect(env.DENY_POLICY_ARN).toBe(denyArn());
      expect(env).not.toHaveProperty('DENY_POLICY_NAME');
    });

    test('the deny policy: GetSecretValue and BatchGetSecretValue denied on every resource, attached to no one by CloudFormation', () => {
      const props = p.spend.template.Resources![denyPolicyId()]!.Properties!;
      expect(props.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [{ Sid: 'KillSwitchDenySecretValues', Effect: 'Deny', Action: ['secretsmanager:BatchGetSecretValue', 'secretsmanager:GetSecretValue'], Resource: '*' }],
      });
      // Named per deployment (unique in the account, readable on the host role); no Roles, Users or Groups.
      expect(Object.keys(props).sort()).toEqual(['Description', 'ManagedPolicyName', 'Path', 'PolicyDocument']);
      expect(props.ManagedPolicyName).toBe(`${NAME}-kill-switch-deny-secrets`);
    });

    test.each(['iam:AttachRolePolicy', 'iam:DetachRolePolicy'] as const)('%s: the deny policy on the host role, and nothing else', async (action) => {
      const env = environment();
      const hostRole = `arn:aws:iam::${ACCOUNT}:role/${env.HOST_ROLE_NAME}`;
      expect(hostRole).toBe(hostRoleArn());
      expect(await onRole(action, hostRole, env.DENY_POLICY_ARN!)).toBe('Allow');
      for (const other of otherPolicies()) expect([other, await onRole(action, hostRole, other)]).toEqual([other, 'ImplicitDeny']);
      for (const role of otherRoles()) expect([role, await onRole(action, role, env.DENY_POLICY_ARN!)]).toEqual([role, 'ImplicitDeny']);
    });

    test('no inline policies on any role, and nothing else in IAM', async () => {
      for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy', 'iam:DeleteRole', 'iam:PutRolePermissionsBoundary']) {
        expect([action, await call(action, hostRoleArn())]).toEqual([action, 'ImplicitDeny']);
      }
      expect(await call('iam:CreatePolicyVersion', denyArn())).toBe('ImplicitDeny');
      expect(await call('iam:DeletePolicy', denyArn())).toBe('ImplicitDeny');
    });

    test('end to end: once attached the host cannot read any of its secrets, with its current session; after detach it can again', async () => {
      const hostRole = hostRoleOf(p);
      const deny = p.spend.template.Resources![denyPolicyId()]!.Properties!.PolicyDocument as PolicyDocument;
      // The host role's policies as synthesized. AmazonSSMManagedInstanceCore (AWS managed, not in the
      // template) grants no secretsmanager action, so leaving it out changes no decision below.
      const host = (attached: readonly PolicyDocument[]) => roleActor(hostRoleArn(), [...rolePrincipal(p.gateway, hostRole).identity, ...(attached as StrictPolicyDocument[])]);
      // The host's requests (host/fetch-secrets/fetch.ts): for each secret of its manifest, GetSecretValue with the
      // manifest's SecretId, in the manifest's region, VersionStage AWSCURRENT; the origin-verify secret also
      // AWSPENDING and AWSPREVIOUS (its rotation window).
      const manifest = renderSecretsManifest(p.config);
      const stacks = [p.gateway, p.edge];
      const read = async (attached: readonly PolicyDocument[]) => {
        const out: string[] = [];
        for (const secret of manifest.secrets) {
          const stack = stacks.find((st) => Object.values(st.template.Resources!).some((r) => r.Type === 'AWS::SecretsManager::Secret' && r.Properties!.Name === secret.secretId))!;
          const id = logicalIdWhere(stack, 'AWS::SecretsManager::Secret', 'Name', secret.secretId);
          const [policy] = Object.values(stack.template.Resources!).filter((r) => r.Type === 'AWS::SecretsManager::ResourcePolicy' && JSON.stringify(r.Properties!.SecretId) === JSON.stringify({ Ref: id }));
          const resourcePolicy = resolveIntrinsics(policy!.Properties!.ResourcePolicy, stack.ctx) as PolicyDocument;
          for (const stage of secret.kind === 'origin-verify' ? ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'] : ['AWSCURRENT']) {
            const c: Call = { action: 'secretsmanager:GetSecretValue', resource: arnOf(id, stack.ctx), region: secret.region, parameters: { SecretId: secret.secretId, VersionStage: stage } };
            out.push(`${secret.secretId} ${stage}: ${await decide(host(attached), c, resourcePolicy as StrictPolicyDocument)}`);
          }
        }
        return out;
      };
      const before = await read([]);
      expect(before).toHaveLength(manifest.secrets.length + 2);
      expect(manifest.secrets.map((x) => x.secretId).sort()).toEqual(
        [gatewayTokenSecretName(p.config, 'ops'), gatewayTokenSecretName(p.config, 'support'), agentSecretName(p.config, 'ops'), agentSecretName(p.config, 'support'), originVerifySecretName(p.config)].sort(),
      );
      expect(before.filter((d) => !d.endsWith(': Allow'))).toEqual([]);
      const killed = await read([deny]);
      expect(killed.filter((d) => !d.endsWith(': ExplicitDeny'))).toEqual([]);
      expect(await read([])).toEqual(before);
    });

    test('the host role keeps room for the deny policy: its managed policies plus the deny policy stay within IAM\'s default quota of 10', () => {
      // IAM quota "Managed policies attached to an IAM role": 10 by default (IAM User Guide, IAM and AWS STS quotas).
      // AttachRolePolicy beyond it fails with LimitExceeded, and the kill would fail. Only the gateway stack attaches
      // policies to the host role (the Spend stack's policies attach to no role of another stack).
      const attached = attachedManagedPolicies(p.gateway.template, hostRoleOf(p), p.gateway.ctx);
      expect(attached).toEqual([
        'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
        expect.stringMatching(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/HostRoleHostPolicy`)),
        expect.stringMatching(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/HostRoleActionsWithoutResourcePolicy`)),
        expect.stringMatching(new RegExp(`^arn:aws:iam::${ACCOUNT}:policy/HostRoleStateVolumePolicy`)),
      ]);
      for (const id of logicalIdsOf(p.spend, 'AWS::IAM::ManagedPolicy')) expect([id, p.spend.template.Resources![id]!.Properties!.Roles]).toEqual([id, undefined]);
      expect(attached.length + 1).toBeLessThanOrEqual(10);
      expect(attached).toHaveLength(4);
    });
  });

  test('records only in its parameter, tells only the alert topic, publishes only to its namespace', async () => {
    const param = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/openclaw/${NAME}/kill-switch`;
    const env = environment();
    expect(env.STATE_PARAMETER).toBe(`/openclaw/${NAME}/kill-switch`);
    expect(await call('ssm:PutParameter', param, { Name: env.STATE_PARAMETER, Type: 'String', Overwrite: true })).toBe('Allow');
    expect(await call('ssm:PutParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/other`, { Name: '/other', Type: 'String', Overwrite: true })).toBe('ImplicitDeny');
    expect(await call('sns:Publish', env.ALERT_TOPIC_ARN!)).toBe('Allow');
    expect(await call('sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:${NAME}-shutdown`)).toBe('ImplicitDeny');
    // The namespace the function sends (lambda/kill-switch/metric.ts: Namespace = METRIC_NAMESPACE), and any other.
    expect(await call('cloudwatch:PutMetricData', '*', { Namespace: env.METRIC_NAMESPACE })).toBe('Allow');
    expect(await call('cloudwatch:PutMetricData', '*', { Namespace: 'AWS/EC2' })).toBe('ImplicitDeny');
    expect(await call('cloudwatch:PutMetricData', '*', { Namespace: `OpenClaw/openclaw-acme-prod` })).toBe('ImplicitDeny');
    expect(await call('cloudfront:UpdateDistribution', `arn:aws:cloudfront::${ACCOUNT}:distribution/E123`)).toBe('ImplicitDeny');
  });

  test('only the two grants on actions without resource ARNs take Resource *, in their own policy: the only one that carries the IAM5 acknowledgement', () => {
    const policies = stage.spend.node.findAll().filter((c): c is CfnManagedPolicy => c instanceof CfnManagedPolicy && c.node.path.includes('/KillSwitch/'));
    const acknowledged = policies.filter((c) => c.node.metadata.some((m) => m.type === BLUEPRINT_ACK_METADATA && String(m.data).startsWith('AwsSolutions-IAM5')));
    expect(acknowledged.map((c) => [c.node.id, c.node.metadata.filter((m) => m.type === BLUEPRINT_ACK_METADATA).map((m) => m.data)])).toEqual([
      ['Resource', ['AwsSolutions-IAM5[Resource::*]']],
    ]);
    expect(acknowledged[0]!.node.scope!.node.id).toBe('ActionsWithoutResourcePolicy');
    const wildcard = managedPolicyWhere(p.spend, `Kill switch of ${NAME}: the actions that support no resource ARN`);
    expect(p.spend.template.Resources![wildcard]!.Properties!.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'SeeInstances', Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' },
        { Sid: 'PublishOwnMetric', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': `OpenClaw/${NAME}` } } },
      ],
    });
    // Every other policy of the kill switch names its resources.
    for (const id of logicalIdsOf(p.spend, 'AWS::IAM::ManagedPolicy').filter((i) => i !== wildcard && i.startsWith('KillSwitch'))) {
      const statements = (p.spend.template.Resources![id]!.Properties!.PolicyDocument as { Statement: { Effect: string; Resource: unknown }[] }).Statement;
      for (const st of statements.filter((x) => x.Effect === 'Allow')) expect([id, JSON.stringify(st.Resource)]).not.toEqual([id, '"*"']);
    }
  });

  test('its dead letters and errors raise kill-switch-failed; its runs raise kill-switch-executed', () => {
    spend.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `${NAME}-kill-switch-failed`,
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'errors + deadLetters' })]),
      Threshold: 1,
    });
    spend.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: `${NAME}-kill-switch-executed`, MetricName: 'KillSwitchExecuted', Namespace: `OpenClaw/${NAME}`, Threshold: 1 });
    core.hasResourceProperties('AWS::SNS::Topic', { TopicName: `${NAME}-shutdown`, KmsMasterKeyId: Match.anyValue() });
  });
});
