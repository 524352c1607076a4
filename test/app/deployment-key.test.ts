import { NAG_PACKS } from '../support/nag-packs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { BuiltApp } from '../../lib/app';
import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';

// One synth of example/prod through the same factory bin/app.ts uses.
// The gate's verdict is its own test, so a weakened control fails the
// assertion about that control rather than every test at once.
let built: BuiltApp;
let findings: GateFinding[];
let template: Template;

beforeAll(() => {
  built = buildForTest({ client: 'example', env: 'prod' });
  findings = gateFindings(built);
  template = Template.fromStack(built.deployments[0]!.stage.core);
});

test('example/prod passes the gate', () => {
  expect(findings).toEqual([]);
});

test('the stack deploys to the account and region from config, under a per-client x env name', () => {
  const core = built.deployments[0]!.stage.core;
  expect(core.stackName).toBe('openclaw-example-prod-core');
  expect(core.account).toBe('210987654321');
  expect(core.region).toBe('eu-west-1');
});

test('the deployment key rotates, on the period from config', () => {
  template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 180 });
});

test('the deployment key is retained on stack deletion and on replacement', () => {
  template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain', Properties: { PendingWindowInDays: 30 } });
});

test('the key policy lets only AWS services acting on AWS resources create grants', () => {
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([
        {
          Sid: 'DenyGrantsExceptForAwsServicesOnAwsResources',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        },
      ]),
    },
  });
});

test('the key has a predictable alias', () => {
  template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/openclaw/example/prod' });
});

test('every taggable resource carries the deployment tags and the overlay tags', () => {
  template.hasResourceProperties('AWS::KMS::Key', {
    // CDK sorts tags by key.
    Tags: [
      { Key: 'client-owner', Value: 'agency-ops' },
      { Key: 'environment-class', Value: 'production' },
      { Key: 'openclaw:client', Value: 'example' },
      // The budgets filter cost by this one (a cost allocation tag).
      { Key: 'openclaw:deployment', Value: 'openclaw-example-prod' },
      { Key: 'openclaw:env', Value: 'prod' },
      { Key: 'openclaw:prefix', Value: 'openclaw' },
    ],
  });
});

test.each(NAG_PACKS)('the core stack has no %s finding', (_name, pack) => {
  const result = pack().validateScope(built.deployments[0]!.stage.core);
  expect(result.violations).toEqual([]);
  expect(result.success).toBe(true);
});
