import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';

// One synth, with both ways of switching CloudFormation validation off or to
// warnings-only: the gate reports each instead of passing quietly.
let findings: GateFinding[];

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  try {
    findings = gateFindings(buildForTest({ client: 'example', env: 'dev', '@aws-cdk/core:validateAgainstDefaultRules': false }));
  } finally {
    delete process.env.CDK_VALIDATION;
  }
});

test('CDK_VALIDATION=false fails the gate', () => {
  expect(findings.map((f) => f.rule)).toContain('validation-disabled');
});

test('validation findings downgraded to warnings fail the gate', () => {
  expect(findings.map((f) => f.rule)).toContain('default-rules-as-warnings');
});
