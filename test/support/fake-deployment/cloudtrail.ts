/**
 * CloudTrail of the fake deployment: every AWS::CloudTrail::Trail of the
 * templates exists in its stack's region, logging as its IsLogging says, with
 * a delivery to the audit bucket 10 minutes ago and no error. GetTrailStatus
 * answers by name (in the trail's home region) or ARN, as the API reference says.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { NOW } from '../config-fixture';
import type { FakeWorld, ServiceFake } from './world';

/** One trail's status. */
export interface FakeTrail {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
  isLogging: boolean;
  latestDeliveryTime?: Date;
  /** e.g. `AccessDenied` when CloudTrail cannot write to the bucket; empty when fine. */
  latestDeliveryError?: string;
}

export interface CloudTrailState {
  /** By ARN. */
  readonly trails: Map<string, FakeTrail>;
}

export function cloudTrailState(world: FakeWorld): CloudTrailState {
  const existing = world.state.cloudtrail as CloudTrailState | undefined;
  if (existing) return existing;
  const trails = new Map<string, FakeTrail>();
  for (const s of world.stacks) {
    for (const r of world.resources('AWS::CloudTrail::Trail', s.role)) {
      const name = world.physicalId(s.role, r.logicalId);
      const arn = `arn:aws:cloudtrail:${s.region}:${world.account}:trail/${name}`;
      trails.set(arn, { name, arn, region: s.region, isLogging: world.properties(r).IsLogging === true, latestDeliveryTime: new Date(NOW.getTime() - 10 * 60_000) });
    }
  }
  const state = { trails };
  world.state.cloudtrail = state;
  return state;
}

export const cloudTrailFake: ServiceFake = (world) => {
  const ct = mockClient(CloudTrailClient);
  ct.on(GetTrailStatusCommand).callsFake(async (input: { Name?: string }, getClient: () => { config: { region: () => Promise<string> } }) => {
    const region = await getClient().config.region();
    const t = [...cloudTrailState(world).trails.values()].find((x) => x.arn === input.Name || (x.name === input.Name && x.region === region));
    if (!t) throw Object.assign(new Error(`Unknown trail: ${input.Name} for the user: ${world.account}`), { name: 'TrailNotFoundException', $metadata: { httpStatusCode: 400 } });
    return {
      IsLogging: t.isLogging,
      ...(t.latestDeliveryTime ? { LatestDeliveryTime: t.latestDeliveryTime, LatestDeliveryAttemptTime: t.latestDeliveryTime.toISOString(), LatestDeliveryAttemptSucceeded: t.latestDeliveryTime.toISOString() } : {}),
      ...(t.latestDeliveryError ? { LatestDeliveryError: t.latestDeliveryError } : {}),
      StartLoggingTime: new Date('2026-11-01T00:00:00Z'),
    };
  });
  return [ct];
};
