import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IPolicyValidationContextBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { CONTROL_TOWER_RULES_DIR, guardRules, ScopedCfnGuardValidator } from '../../lib/gate/scoped-guard';

// Which guard rule files the scoped validator hands to cfn-guard for which
// templates. cfn-guard itself runs once, on one tiny template.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-scoped-guard-'));
const write = (rel: string, text: string) => {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
};

/** A rules folder like Control Tower's: a folder per service, rule files naming the types they inspect. */
const RULES = path.join(tmp, 'rules');
write('rules/sqs/queue.guard', 'let queues = Resources.*[ Type == "AWS::SQS::Queue" ]\nrule q when %queues !empty { %queues.Properties.KmsMasterKeyId exists }');
write('rules/s3/multi.guard', 'let b = Resources.*[ Type == "AWS::S3::Bucket" ]\nlet q = Resources.*[ Type == "AWS::SQS::Queue" ]\nlet b2 = Resources.*[ Type == "AWS::S3::Bucket" ]');
write('rules/sns/topic.guard', 'let t = Resources.*[ Type == "AWS::SNS::Topic" ]');
write('rules/sns/deeper/policy/topic-policy.guard', 'let p = Resources.*[ Type == "AWS::SNS::TopicPolicy" ]');
write('rules/any/typeless.guard', 'rule always { Resources exists }');
write('rules/sqs/notes.md', 'AWS::SQS::Queue is inspected by queue.guard');
/** A rules folder whose every file names a type. */
const TYPED_RULES = path.join(tmp, 'rules', 'sns');

const template = (name: string, ...types: string[]) =>
  write(`templates/${name}.template.json`, JSON.stringify({ Resources: Object.fromEntries(types.map((Type, i) => [`R${i}`, { Type, Properties: {} }])) }));

interface GuardCall {
  readonly templatePaths: string[];
  readonly rulePaths: string[];
}

/** The validator with cfn-guard replaced by a recorder of what it would be given. */
function recorded(rulesDir?: string): { validator: ScopedCfnGuardValidator; calls: GuardCall[] } {
  const validator = rulesDir === undefined ? new ScopedCfnGuardValidator() : new ScopedCfnGuardValidator(rulesDir);
  const calls: GuardCall[] = [];
  (validator as unknown as { execGuard: (c: GuardCall) => PolicyValidationPluginReportBeta1 }).execGuard = (c) => {
    calls.push(c);
    return { success: false, violations: [{ ruleName: 'recorded', description: 'recorded', violatingResources: [] }] };
  };
  return { validator, calls };
}
const context = (...templatePaths: string[]) => ({ templatePaths }) as unknown as IPolicyValidationContextBeta1;
const rel = (dir: string, files: readonly string[]) => files.map((f) => path.relative(dir, f)).sort();

test('guardRules lists every .guard file at any depth with the distinct resource types it names; other files are not rules', () => {
  expect(
    guardRules(RULES)
      .map((r) => [path.relative(RULES, r.file), [...r.types].sort()])
      .sort(),
  ).toEqual([
    ['any/typeless.guard', []],
    ['s3/multi.guard', ['AWS::S3::Bucket', 'AWS::SQS::Queue']],
    ['sns/deeper/policy/topic-policy.guard', ['AWS::SNS::TopicPolicy']],
    ['sns/topic.guard', ['AWS::SNS::Topic']],
    ['sqs/queue.guard', ['AWS::SQS::Queue']],
  ]);
});

describe('ScopedCfnGuardValidator.validate', () => {
  test('runs the rule files naming a type the template has, and those naming none, on the templates given', () => {
    const { validator, calls } = recorded(RULES);
    const queue = template('queue', 'AWS::SQS::Queue');
    expect(validator.validate(context(queue))).toEqual({ success: false, violations: [{ ruleName: 'recorded', description: 'recorded', violatingResources: [] }] });
    expect(calls.map((c) => [c.templatePaths, rel(RULES, c.rulePaths)])).toEqual([[[queue], ['any/typeless.guard', 's3/multi.guard', 'sqs/queue.guard']]]);
  });

  test('a type is matched whole: a topic policy does not select the topic\'s rules, nor a topic the policy\'s', () => {
    const { validator, calls } = recorded(RULES);
    validator.validate(context(template('policy', 'AWS::SNS::TopicPolicy')));
    validator.validate(context(template('topic', 'AWS::SNS::Topic')));
    expect(calls.map((c) => rel(RULES, c.rulePaths))).toEqual([
      ['any/typeless.guard', 'sns/deeper/policy/topic-policy.guard'],
      ['any/typeless.guard', 'sns/topic.guard'],
    ]);
  });

  test('the types of every template count', () => {
    const { validator, calls } = recorded(RULES);
    const a = template('a', 'AWS::SNS::Topic');
    const b = template('b', 'AWS::S3::Bucket', 'AWS::Lambda::Function');
    validator.validate(context(a, b));
    expect(calls.map((c) => [c.templatePaths, rel(RULES, c.rulePaths)])).toEqual([[[a, b], ['any/typeless.guard', 's3/multi.guard', 'sns/topic.guard']]]);
  });

  test('a template naming no resource type selects only the rule files naming none', () => {
    const { validator, calls } = recorded(RULES);
    const empty = template('empty');
    validator.validate(context(empty));
    expect(calls.map((c) => [c.templatePaths, rel(RULES, c.rulePaths)])).toEqual([[[empty], ['any/typeless.guard']]]);
  });

  test('with no rule file to run, cfn-guard is not run and the report is a success', () => {
    const { validator, calls } = recorded(TYPED_RULES);
    expect(validator.validate(context(template('other', 'AWS::Lambda::Function')))).toEqual({ success: true, violations: [] });
    expect(calls).toEqual([]);
  });

  test('by default the rules are Control Tower\'s proactive controls (an SQS queue selects CT.SQS.PR.1 and PR.2)', () => {
    expect(CONTROL_TOWER_RULES_DIR).toBe(path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard'));
    const { validator, calls } = recorded();
    validator.validate(context(template('ct-queue', 'AWS::SQS::Queue')));
    expect(calls.map((c) => rel(CONTROL_TOWER_RULES_DIR, c.rulePaths))).toEqual([['sqs/ct-sqs-pr-1.guard', 'sqs/ct-sqs-pr-2.guard']]);
  });
});

test('cfn-guard runs the selected rules: an SQS queue without encryption or dead-letter queue breaks CT.SQS.PR.1 and PR.2', () => {
  const report = new ScopedCfnGuardValidator().validate(context(template('real-queue', 'AWS::SQS::Queue')));
  expect(report.success).toBe(false);
  expect(report.violations.map((v) => [v.ruleName, v.violatingResources.map((r) => r.resourceLogicalId)]).sort()).toEqual([
    ['sqs_queue_encrypted_check', ['R0']],
    ['sqs_dlq_check', ['R0']],
  ].sort());
});

test('the validator is cdk-validator-cfnguard with every Control Tower rule ID, and room for a whole deployment\'s results (64 MiB)', () => {
  const validator = new ScopedCfnGuardValidator();
  expect(validator.name).toBe('cdk-validator-cfnguard');
  expect(validator.ruleIds).toHaveLength(guardRules(CONTROL_TOWER_RULES_DIR).length);
  expect(validator.ruleIds).toEqual(expect.arrayContaining(['sqspr1', 'sqspr2']));
  expect((validator as unknown as { maxBuffer: number }).maxBuffer).toBe(64 * 1024 * 1024);
});
