import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RemovalPolicy, Duration } from 'aws-cdk-lib';
import * as fs from 'fs';
import * as path from 'path';
import { acknowledgeFinding } from '../../lib/gate/acknowledge';
import { readValidationReport } from '../../lib/gate/validation-report';
import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';

// One synth: a bare S3 bucket (findings from every pack) and two KMS keys
// lacking the CreateGrant restriction, one of them acknowledged for the
// guard rule. Once any acknowledgement exists CDK marks the guard report
// successful; the gate must still fail on the other key.
let findings: GateFinding[];
let outdir: string;

beforeAll(() => {
  const built = buildForTest({ client: 'example', env: 'dev' });
  outdir = built.app.outdir;
  const core = built.deployments[0]!.stage.core;
  new s3.Bucket(core, 'BareBucket');
  const keyProps = { enableKeyRotation: true, rotationPeriod: Duration.days(365), pendingWindow: Duration.days(30), removalPolicy: RemovalPolicy.RETAIN };
  const acked = new kms.Key(core, 'AckedKey', keyProps);
  new kms.Key(core, 'UnackedKey', keyProps);
  acknowledgeFinding(acked, 'cdk-validator-cfnguard::kms_create_grant_aws_service_check', 'Test fixture: this key stands for one whose grants a reviewer accepted.');
  // A misspelt action, three times: unacknowledged, acknowledged with its finding's ID, acknowledged with the bare rule ID.
  const misspelt = (id: string) =>
    new iam.CfnManagedPolicy(core, id, { policyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Misspelt', Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }] } });
  misspelt('MisspeltPolicy');
  acknowledgeFinding(misspelt('AckedMisspeltPolicy'), 'IAMReference-Action[s3:GetObjekt]', 'Test fixture: stands for a finding a reviewer accepted on this one resource.');
  acknowledgeFinding(misspelt('RuleAckedMisspeltPolicy'), 'IAMReference-Action', 'Test fixture: a bare rule ID must not cover the findings of the rule.');
  findings = gateFindings(built);
});

const from = (source: string, rule: RegExp, resource: RegExp) =>
  findings.filter((f) => f.source === source && rule.test(f.rule) && resource.test(f.resource));

test.each([
  ['AwsSolutions', /^AwsSolutions-S1$/],
  ['NIST.800.53.R5', /^NIST\.800\.53\.R5-S3BucketLoggingEnabled$/],
  ['HIPAA.Security', /^HIPAA\.Security-S3BucketLoggingEnabled$/],
  ['cdk-validator-cfnguard', /^s3_bucket_logging_enabled_check$/],
])('a finding of %s fails the gate', (source, rule) => {
  expect(from(source, rule, /BareBucket/)).toHaveLength(1);
});

test('an IAMReference finding fails the gate with its message; only an acknowledgement of that finding\'s ID on that resource covers it', () => {
  const message = 'statement "Misspelt" (#0) of PolicyDocument: Action s3:GetObjekt: AWS\'s service authorization reference lists no action GetObjekt for s3';
  const misspelt = findings.filter((f) => f.source === 'IAMReference' && /Misspelt/.test(f.resource));
  expect(misspelt.map((f) => [f.rule, f.resource.replace(/^example-dev\/Core\//, ''), f.message])).toEqual([
    ['IAMReference-Action[s3:GetObjekt]', 'MisspeltPolicy', message],
    ['IAMReference-Action[s3:GetObjekt]', 'RuleAckedMisspeltPolicy', message],
  ]);
  expect(findings.filter((f) => f.rule === 'stale-acknowledgement' && /RuleAckedMisspeltPolicy/.test(f.resource)).map((f) => f.message)).toEqual([
    'IAMReference-Action is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement',
  ]);
});

test('guard findings fail the gate even though CDK marks the guard report successful', () => {
  const guard = readValidationReport(outdir)!.find((r) => r.pluginName === 'cdk-validator-cfnguard');
  expect(guard?.conclusion).toBe('success'); // the pitfall: CDK's own verdict
  expect(from('cdk-validator-cfnguard', /kms_create_grant_aws_service_check/, /UnackedKey/)).toHaveLength(1);
  expect(from('cdk-validator-cfnguard', /kms_create_grant_aws_service_check/, /AckedKey/)).toHaveLength(0);
});

test('the control catalogue fails a key without the grant restriction, acknowledged or not', () => {
  expect(findings.filter((f) => f.source === 'compliance catalogue' && f.rule === 'kms-grants-aws-services-only').map((f) => f.resource)).toEqual([
    expect.stringMatching(/AckedKey/),
    expect.stringMatching(/UnackedKey/),
  ]);
});

test('the compliance report is written and marked FAILED, listing the findings', () => {
  const report = fs.readFileSync(path.join(outdir, 'compliance-example-dev.md'), 'utf8');
  expect(report).toMatch(/Gate: \*\*FAILED \(\d+ unacknowledged findings\)\*\*/);
  expect(report).toContain('AwsSolutions-S1');
  expect(report).toContain('kms_create_grant_aws_service_check');
});
