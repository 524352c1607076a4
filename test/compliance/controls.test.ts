import type { ComplianceControl, TemplateResource } from '../../lib/compliance/control';
import { ebsStateVolumeProtected, ec2Imdsv2, ec2NoPublicIp, ec2VolumesEncrypted, noWorldIngress, vpcDefaultSecurityGroupClosed, vpcFlowLogs } from '../../lib/host/compliance-controls';
import { cloudFrontHttpsOnly, cloudFrontWaf, wafHasRules, wafLogging } from '../../lib/edge/compliance-controls';
import { kmsGrantsForAwsServicesOnly, kmsKeyRetained, kmsKeyRotation } from '../../lib/keys/compliance-controls';
import { secretEncryptedWithCmk, secretRetained, secretRotation, secretValueAccessRestricted } from '../../lib/secrets/compliance-controls';

// Each control holds on a compliant resource and fails when its setting is removed or weakened.
type Resources = Record<string, TemplateResource>;
const check = (control: ComplianceControl, logicalId: string, resources: Resources) =>
  control.holds(resources[logicalId]!, { logicalId, resources });

const secret = (extra: Resources = {}, props: Record<string, unknown> = { GenerateSecretString: {}, KmsKeyId: 'k' }): Resources => ({
  S: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: props },
  ...extra,
});
/** Every action that reveals, writes or may write a secret's value (hardened-secret.test.ts classifies them). */
const VALUE_ACTIONS = ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage', 'secretsmanager:UpdateSecret'];
const denyAllBut = (action: string) => ({ Effect: 'Deny', Action: action, Principal: { AWS: '*' }, Condition: { StringNotEquals: { 'aws:PrincipalArn': ['arn:host'] } } });
const resourcePolicy = (statements: unknown[]): Resources => ({
  P: { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: { Ref: 'S' }, ResourcePolicy: { Statement: statements } } },
});
const schedule = (expression: string, lambda = true): Resources => ({
  R: {
    Type: 'AWS::SecretsManager::RotationSchedule',
    Properties: { SecretId: { Ref: 'S' }, ...(lambda ? { RotationLambdaARN: 'arn:fn' } : {}), RotationRules: { ScheduleExpression: expression } },
  },
});

const instance = (props: Record<string, unknown> = {}): Resources => ({
  Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 } } } },
  I: {
    Type: 'AWS::EC2::Instance',
    Properties: {
      LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' }, Version: '1' },
      NetworkInterfaces: [{ AssociatePublicIpAddress: false, SubnetId: 's' }],
      BlockDeviceMappings: [{ Ebs: { Encrypted: true, KmsKeyId: 'k' } }],
      ...props,
    },
  },
});

interface StateVolumeVariant {
  volume?: Record<string, unknown>;
  deletion?: string;
  replace?: string;
  noPolicy?: boolean;
  targetValue?: string;
  policy?: Record<string, unknown>;
  createRule?: Record<string, unknown>;
}
const stateVolume = (v: StateVolumeVariant = {}): Resources => ({
  V: {
    Type: 'AWS::EC2::Volume',
    DeletionPolicy: v.deletion ?? 'Retain',
    UpdateReplacePolicy: v.replace ?? 'Retain',
    Properties: { Encrypted: true, KmsKeyId: 'k', Size: 8, Tags: [{ Key: 'openclaw:state-volume', Value: 'p-c-e' }], ...v.volume },
  },
  ...(v.noPolicy
    ? {}
    : {
        D: {
          Type: 'AWS::DLM::LifecyclePolicy',
          Properties: {
            State: 'ENABLED',
            PolicyDetails: {
              ResourceTypes: ['VOLUME'],
              TargetTags: [{ Key: 'openclaw:state-volume', Value: v.targetValue ?? 'p-c-e' }],
              Schedules: [{ CreateRule: v.createRule ?? { Interval: 24, IntervalUnit: 'HOURS' }, RetainRule: { Interval: 14, IntervalUnit: 'DAYS' } }],
            },
            ...v.policy,
          },
        },
      }),
});

test.each<[string, ComplianceControl, string, Resources, Resources]>([
  [
    'IMDSv2 hop limit',
    ec2Imdsv2,
    'I',
    instance(),
    { ...instance(), Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 } } } } },
  ],
  ['no public IP', ec2NoPublicIp, 'I', instance(), instance({ NetworkInterfaces: [{ AssociatePublicIpAddress: true }] })],
  ['encrypted volumes', ec2VolumesEncrypted, 'I', instance(), instance({ BlockDeviceMappings: [{ Ebs: { Encrypted: false } }] })],
  ['state volume: encrypted', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ volume: { Encrypted: false } })],
  ['state volume: with a key', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ volume: { KmsKeyId: undefined } })],
  ['state volume: retained on delete', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ deletion: 'Delete' })],
  ['state volume: retained on replacement', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ replace: 'Delete' })],
  ['state volume: backed up (a policy exists)', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ noPolicy: true })],
  ['state volume: backed up (by a policy targeting its tag)', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ targetValue: 'someone-else' })],
  ['state volume: backed up (by an enabled policy)', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ policy: { State: 'DISABLED' } })],
  ['state volume: backed up daily', ebsStateVolumeProtected, 'V', stateVolume(), stateVolume({ createRule: { Interval: 168, IntervalUnit: 'HOURS' } })],
  [
    'VPC flow logs',
    vpcFlowLogs,
    'V',
    { V: { Type: 'AWS::EC2::VPC' }, F: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: 'V' }, TrafficType: 'ALL' } } },
    { V: { Type: 'AWS::EC2::VPC' }, F: { Type: 'AWS::EC2::FlowLog', Properties: { ResourceId: { Ref: 'V' }, TrafficType: 'REJECT' } } },
  ],
  [
    'default SG closed',
    vpcDefaultSecurityGroupClosed,
    'V',
    { V: { Type: 'AWS::EC2::VPC' }, C: { Type: 'Custom::VpcRestrictDefaultSG', Properties: { DefaultSecurityGroupId: { 'Fn::GetAtt': ['V', 'DefaultSecurityGroup'] } } } },
    { V: { Type: 'AWS::EC2::VPC' } },
  ],
  [
    'no world ingress',
    noWorldIngress,
    'S',
    { S: { Type: 'AWS::EC2::SecurityGroup', Properties: { SecurityGroupIngress: [{ CidrIp: '10.0.2.0/24', FromPort: 8080, ToPort: 8080 }] } } },
    {
      S: { Type: 'AWS::EC2::SecurityGroup', Properties: {} },
      R: { Type: 'AWS::EC2::SecurityGroupIngress', Properties: { GroupId: { 'Fn::GetAtt': ['S', 'GroupId'] }, CidrIpv6: '::/0', FromPort: 22, ToPort: 22 } },
    },
  ],
  [
    'CloudFront HTTPS only',
    cloudFrontHttpsOnly,
    'D',
    { D: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { DefaultCacheBehavior: { ViewerProtocolPolicy: 'https-only' } } } } },
    { D: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { DefaultCacheBehavior: { ViewerProtocolPolicy: 'allow-all' } } } } },
  ],
  [
    'CloudFront WAF',
    cloudFrontWaf,
    'D',
    { D: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: { WebACLId: 'arn' } } } },
    { D: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: {} } } },
  ],
  [
    'WAF rules',
    wafHasRules,
    'A',
    {
      A: {
        Type: 'AWS::WAFv2::WebACL',
        Properties: { Rules: [{ Action: { Block: {} }, Statement: { RateBasedStatement: {} } }, { OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: {} } }] },
      },
    },
    { A: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: {} } }] } } },
  ],
  [
    'WAF logging',
    wafLogging,
    'A',
    {
      A: { Type: 'AWS::WAFv2::WebACL' },
      L: { Type: 'AWS::WAFv2::LoggingConfiguration', Properties: { ResourceArn: { 'Fn::GetAtt': ['A', 'Arn'] }, RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }] } },
    },
    { A: { Type: 'AWS::WAFv2::WebACL' }, L: { Type: 'AWS::WAFv2::LoggingConfiguration', Properties: { ResourceArn: { 'Fn::GetAtt': ['A', 'Arn'] }, RedactedFields: [] } } },
  ],
  [
    'KMS rotation',
    kmsKeyRotation,
    'K',
    { K: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, RotationPeriodInDays: 180 } } },
    { K: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true, RotationPeriodInDays: 730 } } },
  ],
  [
    'KMS retained',
    kmsKeyRetained,
    'K',
    { K: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { PendingWindowInDays: 30 } } },
    { K: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Retain', Properties: { PendingWindowInDays: 30 } } },
  ],
  [
    'KMS grants',
    kmsGrantsForAwsServicesOnly,
    'K',
    {
      K: {
        Type: 'AWS::KMS::Key',
        Properties: { KeyPolicy: { Statement: [{ Effect: 'Deny', Action: 'kms:CreateGrant', Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } } }] } },
      },
    },
    { K: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Action: 'kms:*' }] } } } },
  ],
  ['secret CMK', secretEncryptedWithCmk, 'S', secret(), secret({}, { GenerateSecretString: {} })],
  ['secret retained', secretRetained, 'S', secret(), { S: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Retain' } }],
  [
    'secret retained except on a rolled-back create',
    secretRetained,
    'S',
    { S: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' } },
    { S: { Type: 'AWS::SecretsManager::Secret', DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Delete' } },
  ],
  [
    'KMS retained except on a rolled-back create',
    kmsKeyRetained,
    'K',
    { K: { Type: 'AWS::KMS::Key', DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain', Properties: { PendingWindowInDays: 30 } } },
    { K: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Retain', Properties: { PendingWindowInDays: 30 } } },
  ],
  [
    'secret value access',
    secretValueAccessRestricted,
    'S',
    secret(resourcePolicy(VALUE_ACTIONS.map(denyAllBut))),
    secret(resourcePolicy(VALUE_ACTIONS.filter((a) => a !== 'secretsmanager:GetSecretValue').map(denyAllBut))),
  ],
  ['secret rotation', secretRotation, 'S', secret(schedule('rate(30 days)')), secret(schedule('rate(91 days)'))],
  ['secret rotation needs a function', secretRotation, 'S', secret(schedule('rate(30 days)')), secret(schedule('rate(30 days)', false))],
  ['secret rotation of this secret', secretRotation, 'S', secret(schedule('rate(30 days)')), secret()],
])('%s: holds when configured, fails when weakened', (_name, control, id, good, bad) => {
  expect(check(control, id, good)).toBe(true);
  expect(check(control, id, bad)).toBe(false);
});

test.each(VALUE_ACTIONS)('secret value access fails when %s is not denied', (missing) => {
  expect(check(secretValueAccessRestricted, 'S', secret(resourcePolicy(VALUE_ACTIONS.filter((a) => a !== missing).map(denyAllBut))))).toBe(false);
});

test('rotation applies to generated secrets only (agents\' third-party keys are rotated by operators)', () => {
  expect(secretRotation.appliesTo?.({ Type: 'AWS::SecretsManager::Secret', Properties: { GenerateSecretString: {} } })).toBe(true);
  expect(secretRotation.appliesTo?.({ Type: 'AWS::SecretsManager::Secret', Properties: { SecretString: '{}' } })).toBe(false);
});

test('the no-public-IP control does not apply to the NAT instance', () => {
  expect(ec2NoPublicIp.appliesTo?.({ Type: 'AWS::EC2::Instance', Properties: { SourceDestCheck: false } })).toBe(false);
  expect(ec2NoPublicIp.appliesTo?.({ Type: 'AWS::EC2::Instance', Properties: {} })).toBe(true);
});
