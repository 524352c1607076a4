import { formatFinding, GateError, type GateFinding } from '../../lib/gate/finding';

// How a gate finding is printed, and the error that stops a deployment.

const plain: GateFinding = { source: 'AwsSolutions', rule: 'AwsSolutions-SNS3', resource: 'example-dev/Core/Topic/Resource', message: 'The SNS Topic does not require SSL.' };
const withFix: GateFinding = { source: 'cdk-validator-cfnguard', rule: 'sqs_dlq_check', resource: 'example-dev/Core/Queue/Resource', message: 'No DLQ.', fix: 'Add a RedrivePolicy.' };

describe('formatFinding', () => {
  test('names the source, rule, resource and message', () => {
    expect(formatFinding(plain)).toBe('[AwsSolutions] AwsSolutions-SNS3 at example-dev/Core/Topic/Resource: The SNS Topic does not require SSL.');
  });

  test('adds the fix on its own line when the rule gives one', () => {
    expect(formatFinding(withFix)).toBe('[cdk-validator-cfnguard] sqs_dlq_check at example-dev/Core/Queue/Resource: No DLQ.\n      fix: Add a RedrivePolicy.');
  });

  test('an empty fix is no fix', () => {
    expect(formatFinding({ ...plain, fix: '' })).toBe(formatFinding(plain));
  });
});

describe('GateError', () => {
  const HOW = '(or, where it truly cannot apply, acknowledge it on that one resource with a reason: see docs/gate.md, "Acknowledging a finding").\n';

  test('one finding: singular, the finding listed, no report line without reports', () => {
    const error = new GateError([plain], []);
    expect(error.message).toBe(`Gate failed: 1 unacknowledged finding. Fix each one ${HOW}  - ${formatFinding(plain)}`);
    expect(error.name).toBe('GateError');
    expect(error).toBeInstanceOf(Error);
    expect(error.findings).toEqual([plain]);
    expect(error.reports).toEqual([]);
  });

  test('several findings: plural, each listed, and the compliance reports named', () => {
    const error = new GateError([plain, withFix], ['cdk.out/compliance/example-dev.md', 'cdk.out/compliance/example-prod.md']);
    expect(error.message).toBe(
      `Gate failed: 2 unacknowledged findings. Fix each one ${HOW}` +
        `  - ${formatFinding(plain)}\n  - ${formatFinding(withFix)}\n` +
        'Compliance reports (marked FAILED): cdk.out/compliance/example-dev.md, cdk.out/compliance/example-prod.md',
    );
    expect(error.reports).toEqual(['cdk.out/compliance/example-dev.md', 'cdk.out/compliance/example-prod.md']);
  });
});
