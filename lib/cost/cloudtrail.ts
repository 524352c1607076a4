/**
 * CloudTrail: the trails' management events (the account's first copy free,
 * each further copy charged per event) and, not priced, their data events.
 */
import type { Ledger } from './ledger';
import { arr, obj, refName } from './template-index';
import { fmtQty, listRefs } from './wording';

/** The trails' management events, and a not-priced line per trail with data event selectors. */
export function priceCloudTrail(l: Ledger) {
  const u = l.u;
  const trails = l.of('AWS::CloudTrail::Trail');
  if (trails.length === 0) return;
  const free = u.otherTrailsInAccount === 0 ? 1 : 0;
  const paid = trails.length - free;
  const events100k = (u.cloudTrailManagementEvents / 100_000) * paid;
  l.add(
    'cloudtrail',
    'Logs and audit',
    'CloudTrail management events',
    events100k,
    'cloudTrailExtraCopy100k',
    `${listRefs(trails)}; ${free ? 'the account\'s first copy is free (usage assumption otherTrailsInAccount = 0); ' : ''}` +
      `an additional copy costs $2 per 100,000 events (${fmtQty(u.cloudTrailManagementEvents)} a month: $${((u.cloudTrailManagementEvents / 100_000) * 2).toFixed(2)})`,
  );
  const dataSelectors = trails.filter((t) => arr(t.props.EventSelectors).some((s) => arr(obj(s).DataResources).length > 0) || arr(t.props.AdvancedEventSelectors).length > 0);
  for (const t of dataSelectors) l.unpriced(`cloudtrail-data:${t.id}`, `CloudTrail data events of ${refName(t)}`, 1, 'data events are not priced here');
}
