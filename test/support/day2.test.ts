/**
 * The day-2 checker on small hand-written templates (no app): each finding
 * kind is detected, and harmless changes are not flagged.
 */
import { checkDay2Change, checkUnchanged, describeUser, fixedNames, formatFindings, referencedIds, type CfnTemplate, type SynthStack } from './day2';

const ACCOUNT = '111111111111';
const stack = (stackName: string, template: object, region = 'eu-west-1'): SynthStack => ({ stackName, region, account: ACCOUNT, template: template as CfnTemplate });
/** A template as plain JSON to edit in a test. */
interface Editable {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value?: unknown; Export?: { Name: string } }>;
}
const editable = (s: SynthStack): Editable => clone(s.template) as unknown as Editable;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const instance = (imageId = 'ami-00000000000000001') => ({ Type: 'AWS::EC2::Instance', Properties: { ImageId: imageId, InstanceType: 't4g.small' } });
const alarm = (description: string, dimensions: unknown) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: { AlarmDescription: description, MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Dimensions: dimensions, Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' },
});

/** Producer exporting the instance ID strongly (Outputs.Export), consumer importing it in its kill switch. */
function strongPair(imageId?: string): [SynthStack, SynthStack] {
  const producer = stack('app-gateway', {
    Resources: { Host: instance(imageId) },
    Outputs: { ExportsOutputRefHost: { Value: { Ref: 'Host' }, Export: { Name: 'app-gateway:ExportsOutputRefHost' } } },
  });
  const consumer = stack('app-spend', {
    Resources: {
      KillSwitchFunction: { Type: 'AWS::Lambda::Function', Properties: { Role: 'arn:aws:iam::111111111111:role/r', Code: { ZipFile: 'x' }, Environment: { Variables: { INSTANCE_IDS: { 'Fn::ImportValue': 'app-gateway:ExportsOutputRefHost' } } } } },
    },
  });
  return [producer, consumer];
}

/** Producer writing the instance ID to us-east-1 with CDK's ExportsWriter, the edge stack reading it for its VPC origin. */
function crossRegionPair(imageId?: string): [SynthStack, SynthStack] {
  const param = '/cdk/exports/app-edge/appgatewayeuwest1RefHost';
  const producer = stack('app-gateway', {
    Resources: {
      Host: instance(imageId),
      ExportsWriteruseast1: { Type: 'Custom::CrossRegionExportWriter', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:w', WriterProps: { region: 'us-east-1', exports: { [param]: { Ref: 'Host' } } } } },
    },
  });
  const consumer = stack(
    'app-edge',
    {
      Resources: {
        ExportsReader: { Type: 'Custom::CrossRegionExportReader', Properties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:r', ReaderProps: { region: 'us-east-1', prefix: 'app-edge', imports: { [param]: `{{resolve:ssm:${param}}}` } } } },
        Origin: {
          Type: 'AWS::CloudFront::VpcOrigin',
          Properties: { VpcOriginEndpointConfig: { Name: 'o', Arn: { 'Fn::Join': ['', ['arn:aws:ec2:eu-west-1:111111111111:instance/', { 'Fn::GetAtt': ['ExportsReader', param] }]] } } },
        },
      },
    },
    'us-east-1',
  );
  return [producer, consumer];
}

/** Producer publishing the instance ID as a plain output, consumer reading it weakly with Fn::GetStackOutput in an alarm. */
function weakPair(imageId?: string): [SynthStack, SynthStack] {
  const producer = stack('app-gateway', { Resources: { Host: instance(imageId) }, Outputs: { PublishOutputRefHost: { Value: { Ref: 'Host' } } } });
  const consumer = stack('app-spend', {
    Resources: { HostDown: alarm('host down', [{ Name: 'InstanceId', Value: { 'Fn::GetStackOutput': { StackName: 'app-gateway', OutputName: 'PublishOutputRefHost' } } }]) },
  });
  return [producer, consumer];
}

const kinds = (before: SynthStack[], after: SynthStack[]) => checkDay2Change(before, after).map((f) => `${f.kind} ${f.stack}`).sort();

describe('day-2 checker: exports still imported', () => {
  test('a strongly exported instance that is replaced (new AMI) is a finding: the export changes value while imported (meta-test)', () => {
    const findings = checkDay2Change(strongPair(), strongPair('ami-00000000000000002'));
    expect(findings.map((f) => `${f.kind} ${f.stack}`).sort()).toEqual(['export-in-use app-gateway', 'stale-consumer app-spend']);
    const text = formatFindings(findings);
    expect(text).toContain('export "app-gateway:ExportsOutputRefHost"');
    expect(text).toContain('Host is replaced');
    expect(text).toContain('kill switch KillSwitchFunction');
  });

  test('an instance whose logical ID changes (user-data hash) removes the export its importer still uses', () => {
    const [producer, consumer] = strongPair();
    const after = editable(producer);
    after.Resources = { Host0123456789abcdef: instance() };
    after.Outputs = { ExportsOutputRefHost0123456789abcdef: { Value: { Ref: 'Host0123456789abcdef' }, Export: { Name: 'app-gateway:ExportsOutputRefHost0123456789abcdef' } } };
    const newConsumer = editable(consumer);
    newConsumer.Resources.KillSwitchFunction!.Properties.Environment = { Variables: { INSTANCE_IDS: { 'Fn::ImportValue': 'app-gateway:ExportsOutputRefHost0123456789abcdef' } } };
    const findings = checkDay2Change([producer, consumer], [stack('app-gateway', after), stack('app-spend', newConsumer)]);
    expect(findings.map((f) => f.kind)).toEqual(['export-in-use']);
    expect(findings[0]?.message).toContain('is removed while app-spend imports it');
  });

  test('an export whose value expression changes while imported is a finding', () => {
    const [producer, consumer] = strongPair();
    const after = editable(producer);
    after.Resources.Other = instance();
    after.Outputs.ExportsOutputRefHost!.Value = { Ref: 'Other' };
    expect(kinds([producer, consumer], [stack('app-gateway', after), consumer])).toEqual(['export-in-use app-gateway', 'stale-consumer app-spend']);
  });

  test('a user-data change of an EBS-backed instance (stop and start, same ID) keeps its export; of an instance-store one it may replace it', () => {
    const withUserData = (pair: [SynthStack, SynthStack], userData: string, ebs: boolean): SynthStack[] => {
      const producer = editable(pair[0]);
      producer.Resources.Host!.Properties.UserData = { 'Fn::Base64': userData };
      if (ebs) producer.Resources.Host!.Properties.BlockDeviceMappings = [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 16, Encrypted: true } }];
      return [stack('app-gateway', producer), pair[1]];
    };
    expect(checkDay2Change(withUserData(strongPair(), 'v1', true), withUserData(strongPair(), 'v2', true))).toEqual([]);
    expect(kinds(withUserData(strongPair(), 'v1', false), withUserData(strongPair(), 'v2', false))).toEqual(['export-in-use app-gateway', 'stale-consumer app-spend']);
  });

  test('an export nobody imports may go away', () => {
    const [producer] = strongPair();
    const after = editable(producer);
    after.Outputs = {};
    expect(checkDay2Change([producer], [stack('app-gateway', after)])).toEqual([]);
  });

  test('a cross-region export (ExportsWriter / ExportsReader) of a replaced instance is a finding naming the VPC origin', () => {
    const findings = checkDay2Change(crossRegionPair(), crossRegionPair('ami-00000000000000002'));
    expect(findings.map((f) => `${f.kind} ${f.stack}`).sort()).toEqual(['export-in-use app-gateway', 'stale-consumer app-edge']);
    const text = formatFindings(findings);
    expect(text).toContain('cross-region export /cdk/exports/app-edge/appgatewayeuwest1RefHost');
    expect(text).toContain('never rewrites a changed value');
    expect(text).toContain('VPC origin Origin (AWS::CloudFront::VpcOrigin)');
  });
});

describe('day-2 checker: consumers left on a dead resource', () => {
  test('a weak reference (Fn::GetStackOutput) to a replaced instance with an unchanged consumer is a finding naming the alarm', () => {
    const findings = checkDay2Change(weakPair(), weakPair('ami-00000000000000002'));
    expect(findings.map((f) => `${f.kind} ${f.stack}`)).toEqual(['stale-consumer app-spend']);
    expect(findings[0]?.message).toContain('alarm HostDown (AWS::CloudWatch::Alarm)');
    expect(findings[0]?.message).toContain('"no changes"');
  });

  test('an SSM parameter holding a replaced instance ID, read by name in another stack whose template does not change, is a finding', () => {
    const name = '/app/gateway/instance-id';
    const producer = (ami: string) =>
      stack('app-gateway', { Resources: { Host: instance(ami), HostId: { Type: 'AWS::SSM::Parameter', Properties: { Name: name, Type: 'String', Value: { Ref: 'Host' } } } } });
    // A cross-region read (a custom resource calling GetParameter) and a same-region dynamic reference.
    const getParameter = JSON.stringify({ service: 'SSM', action: 'getParameter', parameters: { Name: name }, region: 'eu-west-1' });
    const edge = stack('app-edge', { Resources: { HostIdReader: { Type: 'Custom::AWS', Properties: { ServiceToken: 'arn:x', Create: getParameter, Update: getParameter } } } }, 'us-east-1');
    const spend = stack('app-spend', { Resources: { HostDown: alarm('down', [{ Name: 'InstanceId', Value: `{{resolve:ssm:${name}}}` }]) } });
    // A longer name that merely starts with it is another parameter.
    const other = stack('app-other', { Resources: { Other: alarm('x', [{ Name: 'InstanceId', Value: `{{resolve:ssm:${name}-old}}` }]) } });
    const findings = checkDay2Change([producer('ami-00000000000000001'), edge, spend, other], [producer('ami-00000000000000002'), edge, spend, other]);
    expect(findings.map((f) => `${f.kind} ${f.stack}`).sort()).toEqual(['stale-consumer app-edge', 'stale-consumer app-spend']);
    expect(formatFindings(findings)).toContain('SSM parameter /app/gateway/instance-id (HostId)');
  });

  test('the same replacement is fine when the consumer template changes in the same deploy', () => {
    const [producerAfter, consumerAfter] = weakPair('ami-00000000000000002');
    const changedConsumer = editable(consumerAfter);
    changedConsumer.Resources.HostDown!.Properties.AlarmDescription = 'host down (v2)';
    expect(checkDay2Change(weakPair(), [producerAfter, stack('app-spend', changedConsumer)])).toEqual([]);
  });

  test('names the rotation function and kill switch among the consumers', () => {
    const t: CfnTemplate = {
      Resources: {
        SecretRotationFunction1: { Type: 'AWS::Lambda::Function', Properties: {} },
        Schedule: { Type: 'AWS::SecretsManager::RotationSchedule', Properties: { RotationLambdaARN: { 'Fn::GetAtt': ['SecretRotationFunction1', 'Arn'] } } },
        KillSwitchPolicy: { Type: 'AWS::IAM::ManagedPolicy', Properties: {} },
      },
    };
    expect(describeUser(t, 'SecretRotationFunction1')).toBe('rotation function SecretRotationFunction1 (AWS::Lambda::Function)');
    expect(describeUser(t, 'KillSwitchPolicy')).toBe('kill switch KillSwitchPolicy (AWS::IAM::ManagedPolicy)');
  });
});

describe('day-2 checker: replacement of named or retained resources', () => {
  test('a role replaced (Path changes) with the same RoleName is a finding', () => {
    const role = (p: string) => stack('app-core', { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'app-role', Path: p, AssumeRolePolicyDocument: {} } } } });
    const findings = checkDay2Change([role('/')], [role('/openclaw/')]);
    expect(findings.map((f) => f.kind)).toEqual(['replaced-fixed-name']);
    expect(findings[0]?.message).toContain('fixed RoleName "app-role"');
  });

  test('a named SSM document whose content changes is replaced (the default UpdateMethod) unless UpdateMethod is NewVersion', () => {
    const doc = (content: string, updateMethod?: string, documentType = 'Command') =>
      stack('app-gateway', {
        Resources: { Doc: { Type: 'AWS::SSM::Document', Properties: { Name: 'app-verify-host', DocumentType: documentType, Content: { steps: content }, ...(updateMethod ? { UpdateMethod: updateMethod } : {}) } } },
      });
    expect(checkDay2Change([doc('a')], [doc('b')]).map((f) => f.kind)).toEqual(['replaced-fixed-name']);
    expect(checkDay2Change([doc('a', 'Replace')], [doc('b', 'Replace')]).map((f) => f.kind)).toEqual(['replaced-fixed-name']);
    expect(checkDay2Change([doc('a', 'NewVersion')], [doc('b', 'NewVersion')])).toEqual([]);
    // DocumentType always replaces, whatever the update method.
    expect(checkDay2Change([doc('a', 'NewVersion')], [doc('b', 'NewVersion', 'Automation')]).map((f) => f.kind)).toEqual(['replaced-fixed-name']);
  });

  test('a replacement that also changes the name is not a name conflict', () => {
    const role = (p: string, n: string) => stack('app-core', { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: n, Path: p, AssumeRolePolicyDocument: {} } } } });
    expect(checkDay2Change([role('/', 'a')], [role('/x/', 'b')])).toEqual([]);
  });

  test('a retained bucket that is replaced is a finding (orphaned data)', () => {
    const bucket = (lock: boolean) =>
      stack('app-core', { Resources: { Logs: { Type: 'AWS::S3::Bucket', Properties: { ObjectLockEnabled: lock }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } } });
    const findings = checkDay2Change([bucket(false)], [bucket(true)]);
    expect(findings.map((f) => f.kind)).toEqual(['replaced-retained']);
    expect(findings[0]?.message).toContain('DeletionPolicy Retain, UpdateReplacePolicy Retain');
  });

  test('RetainExceptOnCreate counts as retained', () => {
    const bucket = (lock: boolean) =>
      stack('app-core', { Resources: { Logs: { Type: 'AWS::S3::Bucket', Properties: { ObjectLockEnabled: lock }, DeletionPolicy: 'RetainExceptOnCreate' } } });
    expect(checkDay2Change([bucket(false)], [bucket(true)]).map((f) => f.kind)).toEqual(['replaced-retained']);
  });

  test('a logical ID change (a new hash) of a named, retained log group is a replacement: name taken, old group orphaned', () => {
    const logs = (id: string) =>
      stack('app-gateway', { Resources: { [id]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/app/gateway' }, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } } });
    const findings = checkDay2Change([logs('HostLogs1A2B3C4D')], [logs('HostLogs5E6F7A8B')]);
    expect(findings.map((f) => f.kind).sort()).toEqual(['replaced-fixed-name', 'replaced-retained']);
    expect(findings[0]?.message).toContain('logical ID HostLogs1A2B3C4D becomes HostLogs5E6F7A8B');
    // Removing it without a successor is a deliberate deletion, retained by design: not a replacement.
    expect(checkDay2Change([logs('HostLogs1A2B3C4D')], [stack('app-gateway', { Resources: {} })])).toEqual([]);
  });

  test('replacement is transitive: a named subscription filter on a replaced log group is replaced too', () => {
    const t = (retain: boolean) =>
      stack('app-gateway', {
        Resources: {
          Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: retain ? '/app/a' : '/app/b' } },
          Filter: { Type: 'AWS::Logs::SubscriptionFilter', Properties: { FilterName: 'to-archive', LogGroupName: { Ref: 'Logs' }, FilterPattern: '', DestinationArn: 'arn:x' } },
        },
      });
    // The log group is renamed (replaced, a new name: fine); the filter keeps its name and is replaced with it.
    const findings = checkDay2Change([t(true)], [t(false)]);
    expect(findings.map((f) => `${f.kind} ${f.resource}`)).toEqual(['replaced-fixed-name Filter']);
  });

  test('replacement crosses stacks: a named filter in another stack reading a replaced log group weakly is replaced too', () => {
    const producer = (name: string) =>
      stack('app-gateway', { Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: name } } }, Outputs: { PublishOutputRefLogs: { Value: { Ref: 'Logs' } } } });
    const consumer = stack('app-spend', {
      Resources: {
        Filter: {
          Type: 'AWS::Logs::SubscriptionFilter',
          Properties: { FilterName: 'to-archive', FilterPattern: '', DestinationArn: 'arn:x', LogGroupName: { 'Fn::GetStackOutput': { StackName: 'app-gateway', OutputName: 'PublishOutputRefLogs' } } },
        },
      },
    });
    expect(kinds([producer('/app/a'), consumer], [producer('/app/b'), consumer])).toEqual(['replaced-fixed-name app-spend', 'stale-consumer app-spend']);
  });

  test('a harmless change (an alarm description, a replacement of an unnamed, unreferenced resource) is not flagged', () => {
    const t = (d: string, ami: string) => stack('app-gateway', { Resources: { Host: instance(ami), Cpu: alarm(d, [{ Name: 'InstanceId', Value: { Ref: 'Host' } }]) } });
    expect(checkDay2Change([t('cpu', 'ami-00000000000000001')], [t('cpu high', 'ami-00000000000000001')])).toEqual([]);
    expect(checkDay2Change([t('cpu', 'ami-00000000000000001')], [t('cpu', 'ami-00000000000000002')])).toEqual([]);
    // and the unchanged strong export of an unchanged instance
    expect(checkDay2Change(strongPair(), strongPair())).toEqual([]);
  });
});

describe('day-2 checker: helpers', () => {
  test('referencedIds reads Ref, Fn::GetAtt (both forms) and Fn::Sub, not pseudo parameters or Sub variables', () => {
    const ids = referencedIds({ a: { Ref: 'A' }, b: { 'Fn::GetAtt': ['B', 'Arn'] }, c: { 'Fn::GetAtt': 'C.Arn' }, d: { 'Fn::Sub': ['${D}-${E.Arn}-${AWS::Region}-${v}', { v: 'x' }] }, e: { Ref: 'AWS::StackName' } });
    expect([...ids].sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  test('fixedNames finds name properties from the resource spec, not references to other resources', () => {
    expect(fixedNames({ Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } })).toEqual([{ property: 'BucketName', value: 'b' }]);
    expect(fixedNames({ Type: 'AWS::SecretsManager::Secret', Properties: { Name: 's' } })).toEqual([{ property: 'Name', value: 's' }]);
    expect(fixedNames({ Type: 'AWS::EC2::SecurityGroup', Properties: { GroupName: 'g' } })).toEqual([{ property: 'GroupName', value: 'g' }]);
    expect(fixedNames({ Type: 'AWS::Budgets::Budget', Properties: { Budget: { BudgetName: 'm' } } })).toEqual([{ property: 'Budget.BudgetName', value: 'm' }]);
    expect(fixedNames({ Type: 'AWS::EC2::Instance', Properties: { KeyName: 'k' } })).toEqual([]);
    expect(fixedNames({ Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'm' } })).toEqual([]);
    expect(fixedNames({ Type: 'AWS::Logs::SubscriptionFilter', Properties: { FilterName: 'f', LogGroupName: { Ref: 'Logs' } } })).toEqual([{ property: 'FilterName', value: 'f' }]);
  });

  test('checkUnchanged reports any change and accepts identical templates', () => {
    const [producer] = strongPair();
    expect(checkUnchanged([producer], [clone(producer)])).toEqual([]);
    const [changed] = strongPair('ami-00000000000000002');
    const findings = checkUnchanged([producer], [changed]);
    expect(findings.map((f) => f.kind)).toEqual(['template-changed']);
    expect(findings[0]?.message).toContain('resource Host (WILL_REPLACE)');
    expect(checkUnchanged([producer], []).map((f) => f.message)).toEqual(['app-gateway is no longer synthesized.']);
  });
});
