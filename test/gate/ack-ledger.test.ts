import { Annotations, App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AckLedger, collectAcknowledgements, collectWarningAcknowledgements, normalizeRuleId, type Acknowledgement } from '../../lib/gate/ack-ledger';
import { acknowledgeFinding, acknowledgeWarning } from '../../lib/gate/acknowledge';

// The acknowledgements the gate reads from the construct tree, and the ledger
// that tells used ones from stale ones; bare stacks, no synthesis.

const REASON = 'A reason long enough for a reviewer to judge it here.';
const stack = () => new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
const topic = (scope: Construct, id = 'Topic') => new CfnResource(scope, id, { type: 'AWS::SNS::Topic' });

describe('normalizeRuleId', () => {
  test.each([
    ['Annotation::AwsSolutions-IAM4', 'AwsSolutions-IAM4'],
    ['annotation::AwsSolutions-IAM4', 'AwsSolutions-IAM4'],
    ['ANNOTATION::x', 'x'],
    ['AwsSolutions-IAM4', 'AwsSolutions-IAM4'],
    ['cdk-validator-cfnguard::lambda_inside_vpc_check', 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
    ['X-Annotation::y', 'X-Annotation::y'],
    ['Annotation:x', 'Annotation:x'],
  ])('%s is %s', (id, normalized) => {
    expect(normalizeRuleId(id)).toBe(normalized);
  });
});

describe('collectAcknowledgements', () => {
  test('each acknowledgeFinding is listed with path, rule (no Annotation:: namespace), reason, on a single resource, by the blueprint', () => {
    const s = stack();
    const t = topic(s);
    acknowledgeFinding(t, 'AwsSolutions-SNS3', REASON);
    acknowledgeFinding(t, 'cdk-validator-cfnguard::sns_topic_encrypted_check', `${REASON} (guard)`);
    expect(collectAcknowledgements(s.node.scope!)).toEqual<Acknowledgement[]>([
      { path: 'S/Topic', rule: 'AwsSolutions-SNS3', reason: REASON, onSingleResource: true, madeBy: 'blueprint' },
      { path: 'S/Topic', rule: 'cdk-validator-cfnguard::sns_topic_encrypted_check', reason: `${REASON} (guard)`, onSingleResource: true, madeBy: 'blueprint' },
    ]);
  });

  test('an acknowledgement on a stack or a group is listed as not on a single resource', () => {
    const s = stack();
    const group = new Construct(s, 'Group');
    Validations.of(s).acknowledge({ id: 'AwsSolutions-IAM4', reason: 'stack-wide' });
    Validations.of(group).acknowledge({ id: 'AwsSolutions-IAM5', reason: 'group-wide' }, { id: 'AwsSolutions-SNS3', reason: 'second rule' });
    expect(collectAcknowledgements(s)).toEqual<Acknowledgement[]>([
      { path: 'S', rule: 'AwsSolutions-IAM4', reason: 'stack-wide', onSingleResource: false, madeBy: 'blueprint' },
      { path: 'S/Group', rule: 'AwsSolutions-IAM5', reason: 'group-wide', onSingleResource: false, madeBy: 'blueprint' },
      { path: 'S/Group', rule: 'AwsSolutions-SNS3', reason: 'second rule', onSingleResource: false, madeBy: 'blueprint' },
    ]);
  });

  test('only acknowledgements under the root are collected', () => {
    const s = stack();
    acknowledgeFinding(topic(s, 'Outside'), 'AwsSolutions-SNS3', REASON);
    const group = new Construct(s, 'Group');
    acknowledgeFinding(topic(group), 'AwsSolutions-SNS2', REASON);
    expect(collectAcknowledgements(group).map((a) => `${a.path} ${a.rule}`)).toEqual(['S/Group/Topic AwsSolutions-SNS2']);
  });

  test('aws-cdk-lib\'s own CloudFormation-Validate acknowledgement (literal AZs on a stack) is made by aws-cdk-lib', () => {
    const s = new Stack(new App({ builtinCloudFormationValidation: false }), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    expect(s.availabilityZones.length).toBeGreaterThan(0);
    expect(collectAcknowledgements(s)).toEqual<Acknowledgement[]>([
      { path: 'S', rule: 'CloudFormation-Validate::W3010', reason: expect.stringMatching(/^Literal AZs in template/) as string, onSingleResource: false, madeBy: 'aws-cdk-lib' },
    ]);
  });

  test('a CloudFormation-Validate rule the blueprint acknowledges with acknowledgeFinding is the blueprint\'s', () => {
    const s = stack();
    const t = topic(s);
    acknowledgeFinding(t, 'CloudFormation-Validate::W9010', REASON);
    Validations.of(t).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'not through acknowledgeFinding' });
    expect(collectAcknowledgements(s).map((a) => `${a.rule} ${a.madeBy}`)).toEqual(['CloudFormation-Validate::W9010 blueprint', 'CloudFormation-Validate::W3010 aws-cdk-lib']);
  });

  test('only the blueprint\'s marker makes a CloudFormation-Validate acknowledgement the blueprint\'s, not other metadata naming the rule', () => {
    const s = stack();
    const t = topic(s);
    Validations.of(t).acknowledge({ id: 'CloudFormation-Validate::W3010', reason: 'by aws-cdk-lib' });
    t.node.addMetadata('note', 'CloudFormation-Validate::W3010');
    expect(collectAcknowledgements(s).map((a) => a.madeBy)).toEqual(['aws-cdk-lib']);
  });

  test('metadata other than acknowledgements is ignored', () => {
    const s = stack();
    const t = topic(s);
    t.node.addMetadata('other', { 'AwsSolutions-SNS3': REASON });
    Annotations.of(t).addWarningV2('@aws-cdk/x:y', 'warning');
    expect(collectAcknowledgements(s)).toEqual([]);
  });
});

test('collectWarningAcknowledgements lists each acknowledgeWarning under the root with path, id and reason', () => {
  const s = stack();
  const a = new Construct(s, 'A');
  acknowledgeWarning(a, '@aws-cdk/x:first', REASON);
  acknowledgeWarning(new Construct(a, 'B'), '@aws-cdk/x:second', `${REASON} (2)`);
  Annotations.of(s).acknowledgeWarning('@aws-cdk/x:third', 'not through acknowledgeWarning');
  acknowledgeFinding(topic(s), 'AwsSolutions-SNS3', REASON);
  expect(collectWarningAcknowledgements(s)).toEqual([
    { path: 'S/A', id: '@aws-cdk/x:first', reason: REASON },
    { path: 'S/A/B', id: '@aws-cdk/x:second', reason: `${REASON} (2)` },
  ]);
  expect(collectWarningAcknowledgements(a.node.findChild('B'))).toEqual([{ path: 'S/A/B', id: '@aws-cdk/x:second', reason: `${REASON} (2)` }]);
});

describe('AckLedger', () => {
  const ack = (path: string, rule: string): Acknowledgement => ({ path, rule, reason: REASON, onSingleResource: true, madeBy: 'blueprint' });

  test('an acknowledgement is unused until marked', () => {
    expect(new AckLedger().isUsed(ack('S/Topic', 'AwsSolutions-SNS3'))).toBe(false);
  });

  test('marked with a leading slash and CDK\'s Annotation:: namespace, it is used under the construct path and bare rule', () => {
    const ledger = new AckLedger();
    ledger.markUsed('/S/Topic', 'Annotation::AwsSolutions-SNS3');
    expect(ledger.isUsed(ack('S/Topic', 'AwsSolutions-SNS3'))).toBe(true);
    expect(ledger.isUsed(ack('/S/Topic', 'Annotation::AwsSolutions-SNS3'))).toBe(true);
  });

  test('only the same rule on the same path is used', () => {
    const ledger = new AckLedger();
    ledger.markUsed('S/Topic', 'AwsSolutions-SNS3');
    expect(ledger.isUsed(ack('S/Topic', 'AwsSolutions-SNS2'))).toBe(false);
    expect(ledger.isUsed(ack('S/Other', 'AwsSolutions-SNS3'))).toBe(false);
    expect(ledger.isUsed(ack('S/Topic/Child', 'AwsSolutions-SNS3'))).toBe(false);
    expect(ledger.isUsed(ack('S/S/Topic', 'AwsSolutions-SNS3'))).toBe(false);
  });

  test('only one leading slash is dropped, and only at the start', () => {
    const ledger = new AckLedger();
    ledger.markUsed('S/Topic/', 'AwsSolutions-SNS3');
    expect(ledger.isUsed(ack('S/Topic', 'AwsSolutions-SNS3'))).toBe(false);
    ledger.markUsed('//S/Other', 'AwsSolutions-SNS3');
    expect(ledger.isUsed(ack('S/Other', 'AwsSolutions-SNS3'))).toBe(false);
    expect(ledger.isUsed(ack('//S/Other', 'AwsSolutions-SNS3'))).toBe(true);
    ledger.markUsed('S/Queue', 'AwsSolutions-SQS3');
    expect(ledger.isUsed(ack('SQueue', 'AwsSolutions-SQS3'))).toBe(false);
  });

  test('path and rule are kept apart (no two pairs share a key)', () => {
    const ledger = new AckLedger();
    ledger.markUsed('S/Topic', 'AwsSolutions-SNS3');
    expect(ledger.isUsed(ack('S/TopicAwsSolutions-SNS3', ''))).toBe(false);
  });
});
