/**
 * Secrets Manager of the fake deployment: every AWS::SecretsManager::Secret of
 * the gateway and edge stacks exists in its stack's region, encrypted with the
 * key its template names, with the template's resource policy; secrets with a
 * RotationSchedule have rotation on and were last rotated 10 days ago.
 * Answers DescribeSecret, GetResourcePolicy and PutResourcePolicy with the
 * shapes of the Secrets Manager API reference. No value is ever returned.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NOW } from '../config-fixture';
import type { FakeWorld, ServiceFake } from './world';

const DAY_MS = 86_400_000;

/** One secret as Secrets Manager keeps it. */
export interface FakeSecret {
  readonly arn: string;
  readonly name: string;
  readonly region: string;
  /** The logical ID in its template. */
  readonly logicalId: string;
  kmsKeyId?: string;
  createdDate: Date;
  lastRotatedDate?: Date;
  deletedDate?: Date;
  rotationEnabled: boolean;
  rotationRules?: { ScheduleExpression?: string; AutomaticallyAfterDays?: number };
  /** Version ID -> staging labels. */
  versions: Record<string, string[]>;
  /** The resource policy as stored (a JSON string), or none. */
  policy?: string;
}

export interface SecretsManagerState {
  /** By ARN. */
  readonly secrets: Map<string, FakeSecret>;
}

/** The Secrets Manager state of `world`, created from the templates on first use. */
export function secretsManagerState(world: FakeWorld): SecretsManagerState {
  const existing = world.state.secretsManager as SecretsManagerState | undefined;
  if (existing) return existing;
  const secrets = new Map<string, FakeSecret>();
  for (const role of ['gateway', 'edge'] as const) {
    const region = world.stack(role).region;
    for (const r of world.resources('AWS::SecretsManager::Secret', role)) {
      const p = world.properties(r);
      const arn = world.physicalId(role, r.logicalId);
      secrets.set(arn, {
        arn,
        name: String(p.Name),
        region,
        logicalId: r.logicalId,
        kmsKeyId: p.KmsKeyId as string | undefined,
        createdDate: new Date('2026-11-01T00:00:00Z'),
        rotationEnabled: false,
        versions: { 'a1b2c3d4-0000-4000-8000-000000000001': ['AWSCURRENT'] },
      });
    }
    for (const r of world.resources('AWS::SecretsManager::ResourcePolicy', role)) {
      const p = world.properties(r);
      const s = secrets.get(String(p.SecretId));
      if (s) s.policy = JSON.stringify(p.ResourcePolicy);
    }
    for (const r of world.resources('AWS::SecretsManager::RotationSchedule', role)) {
      const p = world.properties(r);
      const s = secrets.get(String(p.SecretId));
      if (!s) continue;
      const rules = p.RotationRules as { ScheduleExpression?: string };
      const rate = /^rate\((\d+) days?\)$/.exec(rules.ScheduleExpression ?? '');
      s.rotationEnabled = true;
      // AutomaticallyAfterDays: "calculated from the rotation schedule after every successful rotation" (API reference).
      s.rotationRules = { ...rules, ...(rate ? { AutomaticallyAfterDays: Number(rate[1]) } : {}) };
      s.lastRotatedDate = new Date(NOW.getTime() - 10 * DAY_MS);
      s.versions = { 'a1b2c3d4-0000-4000-8000-000000000002': ['AWSCURRENT', 'OPENCLAW_ROTATION'], 'a1b2c3d4-0000-4000-8000-000000000001': ['AWSPREVIOUS'] };
    }
  }
  const state = { secrets };
  world.state.secretsManager = state;
  return state;
}

const notFound = () =>
  Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });

export const secretsManagerFake: ServiceFake = (world) => {
  const sm = mockClient(SecretsManagerClient);
  const find = async (id: string | undefined, getClient: () => { config: { region: () => Promise<string> } }) => {
    const region = await getClient().config.region();
    const s = [...secretsManagerState(world).secrets.values()].find((x) => (x.arn === id || x.name === id) && x.region === region);
    if (!s) throw notFound();
    return s;
  };
  sm.on(DescribeSecretCommand).callsFake(async (input: { SecretId?: string }, getClient) => {
    const s = await find(input.SecretId, getClient);
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.kmsKeyId ? { KmsKeyId: s.kmsKeyId } : {}),
      RotationEnabled: s.rotationEnabled,
      ...(s.rotationRules ? { RotationRules: s.rotationRules } : {}),
      ...(s.lastRotatedDate ? { LastRotatedDate: s.lastRotatedDate } : {}),
      ...(s.deletedDate ? { DeletedDate: s.deletedDate } : {}),
      CreatedDate: s.createdDate,
      LastChangedDate: s.lastRotatedDate ?? s.createdDate,
      VersionIdsToStages: s.versions,
    };
  });
  sm.on(GetResourcePolicyCommand).callsFake(async (input: { SecretId?: string }, getClient) => {
    const s = await find(input.SecretId, getClient);
    return { ARN: s.arn, Name: s.name, ...(s.policy ? { ResourcePolicy: s.policy } : {}) };
  });
  sm.on(PutResourcePolicyCommand).callsFake(async (input: { SecretId?: string; ResourcePolicy?: string }, getClient) => {
    const s = await find(input.SecretId, getClient);
    s.policy = input.ResourcePolicy;
    return { ARN: s.arn, Name: s.name };
  });
  return [sm];
};
