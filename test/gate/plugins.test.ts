import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { AckLedger, type Acknowledgement } from '../../lib/gate/ack-ledger';
import { acknowledgeFinding } from '../../lib/gate/acknowledge';
import { IAM_REFERENCE_PLUGIN_LABEL, IamReferenceChecks } from '../../lib/gate/iam-reference/pack';
import { GATE_PLUGIN_NAMES, installGatePlugins } from '../../lib/gate/plugins';
import { ScopedCfnGuardValidator } from '../../lib/gate/scoped-guard';
import { readValidationReport } from '../../lib/gate/validation-report';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';

/** Temporary output folders, removed after the tests (mutation testing runs them many times). */
const tempDir = tempDirsRemovedAfterAll();

// The rule packs the gate registers, and the ledger of acknowledgements that
// suppressed a cdk-nag finding; one tiny stack of SNS topics (no Control Tower
// rule names AWS::SNS::Topic, so cfn-guard has nothing to run).

const REASON = 'A reason long enough for a reviewer to judge it here.';
const newApp = () =>
  new App({
    outdir: tempDir('gate-plugins-'),
    builtinCloudFormationValidation: false,
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
/** The plugins registered on the app, as CDK keeps them. */
const pluginsOf = (app: App) => (app as unknown as { _policyValidation: unknown[] })._policyValidation;

test('the gate lists exactly these rule packs', () => {
  expect(GATE_PLUGIN_NAMES).toEqual([
    'AwsSolutions',
    'NIST.800.53.R5',
    'HIPAA.Security',
    IAM_REFERENCE_PLUGIN_LABEL,
    'cdk-validator-cfnguard (AWS Control Tower proactive controls)',
    'CloudFormation Validate (aws-cdk-lib default rules, as errors)',
  ]);
});

test('installGatePlugins registers the three cdk-nag packs, IAMReference (all verbose) and the scoped Control Tower guard, in order', () => {
  const app = newApp();
  installGatePlugins(app, new AckLedger());
  const plugins = pluginsOf(app);
  expect(plugins.map((p) => (p as { name: string }).name)).toEqual(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'IAMReference', 'cdk-validator-cfnguard']);
  expect(plugins.map((p) => (p as object).constructor)).toEqual([AwsSolutionsChecks, NIST80053R5Checks, HIPAASecurityChecks, IamReferenceChecks, ScopedCfnGuardValidator]);
  expect(plugins.slice(0, 4).map((p) => (p as unknown as { verbose: boolean }).verbose)).toEqual([true, true, true, true]);
});

describe('acknowledgements that suppressed a cdk-nag finding are marked in the ledger', () => {
  let ledger: AckLedger;
  let reported: string[];
  const ack = (p: string, rule: string): Acknowledgement => ({ path: p, rule, reason: REASON, onSingleResource: true, madeBy: 'blueprint' });

  beforeAll(() => {
    const app = newApp();
    const stack = new Stack(app, 'S');
    // AwsSolutions-SNS3: the topic is not encrypted and has no policy requiring SSL.
    const onResource = new sns.CfnTopic(stack, 'OnResource');
    acknowledgeFinding(onResource, 'AwsSolutions-SNS3', REASON);
    acknowledgeFinding(onResource, 'AwsSolutions-IAM4', REASON); // no such finding on a topic
    const group = new Construct(stack, 'Group');
    new sns.CfnTopic(group, 'Topic');
    Validations.of(group).acknowledge({ id: 'AwsSolutions-SNS3', reason: REASON });
    new sns.CfnTopic(stack, 'Unacknowledged');
    acknowledgeFinding(new sns.CfnTopic(stack, 'OtherRuleAcknowledged'), 'AwsSolutions-IAM4', REASON);
    new sns.CfnTopic(stack, 'OtherMetadata').node.addMetadata('not-an-acknowledgement', { 'AwsSolutions-SNS3': REASON });
    ledger = new AckLedger();
    installGatePlugins(app, ledger);
    app.synth();
    reported = readValidationReport(app.outdir)!.flatMap((r) =>
      r.violations.filter((v) => v.ruleName === 'AwsSolutions-SNS3').flatMap((v) => v.violatingConstructs.map((c) => `${r.pluginName} ${c.constructPath}`)),
    );
  });

  test('on the resource itself', () => {
    expect(ledger.isUsed(ack('S/OnResource', 'AwsSolutions-SNS3'))).toBe(true);
  });

  test('on an ancestor of the resource, under the ancestor\'s path', () => {
    expect(ledger.isUsed(ack('S/Group', 'AwsSolutions-SNS3'))).toBe(true);
    expect(ledger.isUsed(ack('S/Group/Topic', 'AwsSolutions-SNS3'))).toBe(false);
  });

  test('an acknowledgement of a finding the resource does not have is not marked', () => {
    expect(ledger.isUsed(ack('S/OnResource', 'AwsSolutions-IAM4'))).toBe(false);
  });

  test('an acknowledgement of another rule only is not marked for this one', () => {
    expect(ledger.isUsed(ack('S/OtherRuleAcknowledged', 'AwsSolutions-SNS3'))).toBe(false);
    expect(ledger.isUsed(ack('S/OtherRuleAcknowledged', 'AwsSolutions-IAM4'))).toBe(false);
  });

  test('the acknowledged findings are suppressed; the unacknowledged ones are reported, also where another rule is acknowledged or metadata of another type names the rule', () => {
    expect(reported).toEqual(['AwsSolutions S/Unacknowledged', 'AwsSolutions S/OtherRuleAcknowledged', 'AwsSolutions S/OtherMetadata']);
  });
});

test('a cdk-nag without NagPack.isAcknowledged is refused with what to do', () => {
  const proto = NagPack.prototype as unknown as { isAcknowledged?: unknown };
  const original = proto.isAcknowledged;
  delete proto.isAcknowledged;
  try {
    expect(() => installGatePlugins(newApp(), new AckLedger())).toThrow(
      new Error('cdk-nag internals changed (NagPack.isAcknowledged is gone): update lib/gate/plugins.ts before upgrading cdk-nag'),
    );
  } finally {
    proto.isAcknowledged = original;
  }
});
