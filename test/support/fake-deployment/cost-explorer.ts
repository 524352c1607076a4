/**
 * Cost Explorer of the fake deployment (endpoint us-east-1):
 * ListCostAllocationTags lists every tag key the templates put on resources
 * as a UserDefined tag, Active (a correct deployment: the operator activated
 * the deployment's tags in Billing, as docs/spend.md says).
 * Drift: world.state['ce.tags'] (costTagDrift): `Inactive`, or `absent` (a
 * tag Billing never saw: it is not in the list at all).
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CostExplorerClient, ListCostAllocationTagsCommand, type CostAllocationTag } from '@aws-sdk/client-cost-explorer';
import type { FakeWorld, ServiceFake } from './world';

export function costTagDrift(world: FakeWorld): Map<string, 'Inactive' | 'absent'> {
  return ((world.state['ce.tags'] as Map<string, 'Inactive' | 'absent'> | undefined) ??= new Map());
}

function tagKeys(world: FakeWorld): string[] {
  const keys = new Set<string>();
  for (const s of world.stacks) {
    for (const r of Object.values(s.template.Resources ?? {})) {
      const tags = (r.Properties as { Tags?: unknown } | undefined)?.Tags;
      if (Array.isArray(tags)) for (const t of tags as { Key?: unknown }[]) if (typeof t.Key === 'string') keys.add(t.Key);
    }
  }
  return [...keys].sort();
}

export const costExplorerFake: ServiceFake = (world) => {
  const ce = mockClient(CostExplorerClient);
  ce.on(ListCostAllocationTagsCommand).callsFake(async (input: { TagKeys?: string[]; Status?: string; Type?: string }) => {
    const tags: CostAllocationTag[] = tagKeys(world).flatMap((TagKey) => {
      const drift = costTagDrift(world).get(TagKey);
      if (drift === 'absent') return [];
      return [{ TagKey, Type: 'UserDefined', Status: drift ?? 'Active', LastUpdatedDate: '2026-11-02T00:00:00Z', LastUsedDate: '2026-12-01T00:00:00Z' }];
    });
    return {
      CostAllocationTags: tags.filter(
        (t) => (!input.TagKeys || input.TagKeys.includes(t.TagKey!)) && (!input.Status || input.Status === t.Status) && (!input.Type || input.Type === t.Type),
      ),
    };
  });
  return [ce];
};
