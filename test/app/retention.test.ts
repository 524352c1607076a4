/**
 * Every retained resource of every synthesized template (all deployments) is
 * retained on update and delete but deleted when the stack operation that
 * created it rolls back (DeletionPolicy RetainExceptOnCreate, UpdateReplacePolicy
 * Retain): a failed first deploy must not leave fixed-name keys, secrets, log
 * buckets or log groups behind that make the retry fail with "already exists".
 * The data-destruction opt-in deletes them instead.
 */
import * as path from 'path';
import { buildForTest } from '../support/build';
import { configFixture } from '../support/config-fixture';

type Resource = { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string };

/** `<stack kind> <type>` -> [DeletionPolicy, UpdateReplacePolicy] of every resource with a policy, over every deployment. */
function policies(context: Record<string, unknown>, configDir?: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const { stage } of buildForTest(context, configDir).deployments) {
    for (const artifact of stage.synth().stacks) {
      const kind = artifact.stackName.split('-').pop()!;
      for (const r of Object.values((artifact.template as { Resources: Record<string, Resource> }).Resources)) {
        if (r.DeletionPolicy === undefined && r.UpdateReplacePolicy === undefined) continue;
        const key = `${kind} ${r.Type}`;
        if (!out.has(key)) out.set(key, new Set());
        out.get(key)!.add(`${r.DeletionPolicy}/${r.UpdateReplacePolicy}`);
      }
    }
  }
  return out;
}

const asObject = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));

/** CDK's own helper resources, deleted with their stack whatever the config: not data. */
const FRAMEWORK = {
  'edge Custom::CrossRegionExportReader': ['Delete/Delete'],
  // The edge stack exports the distribution ID and its audit buckets' names to the spend stack's drift check.
  'edge Custom::CrossRegionExportWriter': ['Delete/Delete'],
  'gateway Custom::CrossRegionExportWriter': ['Delete/Delete'],
  'network Custom::VpcRestrictDefaultSG': ['Delete/Delete'],
  'network Custom::OriginFacingPrefixList': ['Delete/Delete'],
  'spend AWS::SQS::Queue': ['Delete/Delete'],
  'spend Custom::CrossRegionExportReader': ['Delete/Delete'],
};

test('every retained resource of every deployment: RetainExceptOnCreate on deletion, Retain on replacement (pinned list)', () => {
  const retained = 'RetainExceptOnCreate/Retain';
  expect(asObject(policies({ client: 'all', env: 'all' }))).toEqual({
    ...FRAMEWORK,
    'core AWS::KMS::Key': [retained],
    'core AWS::Logs::LogGroup': [retained],
    'core AWS::S3::Bucket': [retained],
    'core AWS::S3::BucketPolicy': [retained],
    'edge AWS::KMS::Key': [retained],
    'edge AWS::Logs::LogGroup': [retained],
    'edge AWS::S3::Bucket': [retained],
    'edge AWS::S3::BucketPolicy': [retained],
    'edge AWS::SecretsManager::Secret': [retained],
    // A secret's resource policy stays with it: a secret left behind keeps its denies.
    'edge AWS::SecretsManager::ResourcePolicy': [retained],
    'gateway AWS::EC2::Volume': [retained],
    'gateway AWS::Logs::LogGroup': [retained],
    'gateway AWS::SecretsManager::Secret': [retained],
    'gateway AWS::SecretsManager::ResourcePolicy': [retained],
    'network AWS::Logs::LogGroup': [retained],
    'spend AWS::Logs::LogGroup': [retained],
  });
});

test('no resource anywhere keeps plain Retain: a rolled-back first create would leave it behind', () => {
  for (const [key, values] of policies({ client: 'all', env: 'all' })) {
    for (const v of values) expect([key, v.split('/')[0]]).not.toEqual([key, 'Retain']);
  }
});

test('the data-destruction opt-in deletes the same resources instead', () => {
  const root = configFixture({
    'clients/example/prod.yaml': [
      'aws:',
      '  account: "210987654321"',
      'edge:',
      '  customDomain:',
      '    domainName: agents.example.com',
      '    certificateArn: arn:aws:acm:us-east-1:210987654321:certificate/11111111-1111-4111-8111-111111111111',
      'dataProtection:',
      '  retainOnDelete: false',
      'exceptions:',
      '  - control: data-retention',
      '    reason: Throw-away test environment.',
      '    approvedBy: security@example.com',
      '    expires: "2027-01-31"',
      '',
    ].join('\n'),
  });
  const destroyed = asObject(policies({ client: 'example', env: 'prod', confirmDataDestruction: 'example-prod' }, path.join(root, 'config')));
  const data = Object.entries(destroyed).filter(([key]) => !(key in FRAMEWORK));
  expect(data.length).toBeGreaterThan(0);
  for (const [key, values] of data) expect([key, values]).toEqual([key, ['Delete/Delete']]);
});
