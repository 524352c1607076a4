import type { CfnResource } from 'aws-cdk-lib';
import { matchingActions, resourceFormats, type ReferenceAction } from '../catalogue';
import { formatGlob, intersects, matches, type Glob } from '../glob';
import { actionsOf, asList, statementsOf, type Statement } from '../policies';
import type { ReferenceFinding, ReferenceRule } from '../rule';
import { valueGlob, valueLabel } from '../values';

/** One entry of a statement's Resource, with the patterns it stands for. */
interface ResourceEntry {
  readonly label: string;
  readonly globs: readonly Glob[];
}

function resourceEntries(node: CfnResource, s: Statement): ResourceEntry[] {
  return asList(s.body.Resource).map((r) => ({
    label: valueLabel(r),
    // In a resource policy "*" is the resource the policy is attached to.
    globs: r === '*' && s.attachedTo?.length ? s.attachedTo : [valueGlob(node, r)],
  }));
}

const formatCache = new Map<string, Glob>();
const formatOf = (arn: string) => {
  if (!formatCache.has(arn)) formatCache.set(arn, formatGlob(arn));
  return formatCache.get(arn)!;
};

/**
 * Whether an action of the reference can apply to the resource: one of its
 * resource types' ARN formats intersects it, or, for an action without
 * resource types, the resource is "*". An action whose types the reference
 * does not resolve is given the benefit of the doubt.
 */
export function applies(action: ReferenceAction, entry: ResourceEntry): boolean {
  const formats = resourceFormats(action);
  if (action.action.resourceTypes.length === 0) return entry.globs.some((g) => matches(g, '*'));
  if (formats.length === 0) return true;
  return formats.some((f) => entry.globs.some((g) => intersects(g, formatOf(f.arn))));
}

/** What the reference expects of an action's Resource, for messages. */
export function expected(actions: readonly ReferenceAction[]): string {
  if (actions.length !== 1) return `none of the ${actions.length} actions it matches applies to it`;
  const formats = resourceFormats(actions[0]!);
  return formats.length === 0
    ? 'AWS\'s reference lists no resource type for it, so it needs Resource "*"'
    : `AWS's reference expects ${formats.map((f) => `${f.type} (${f.arn})`).join(' or ')}`;
}

/**
 * Every action of a statement applies to at least one of its resources, and
 * every resource is one at least one of its actions applies to: an action no
 * resource fits is never granted (or denied), a resource no action fits is
 * dead. (Statements with NotAction or NotResource are left out: they name
 * what they do not cover.)
 */
export const ResourceArnMatches: ReferenceRule = {
  id: 'ResourceArn',
  info: 'A statement\'s Resource does not match the resource types of its actions.',
  explanation:
    'IAM authorizes an action on the resource ARNs AWS\'s service authorization reference lists for it (or on "*" when it lists none); a statement ' +
    'whose resources fit none of them does not grant or deny what it says. Intrinsics count as any string, except the ARN of a resource of a known type.',
  check: (node) => {
    const findings: ReferenceFinding[] = [];
    for (const s of statementsOf(node)) {
      if (s.body.Resource === undefined || s.body.NotResource !== undefined || s.body.NotAction !== undefined) continue;
      const entries = resourceEntries(node, s);
      // "*" (answered undefined: it matches every action) and actions the reference lacks cannot be judged here.
      const actions = actionsOf(s.body, 'Action')
        .map((a) => ({ pattern: a, matching: matchingActions(a) ?? [] }))
        .filter((a) => a.matching.length > 0);
      if (actions.length === 0) continue;
      for (const { pattern, matching } of actions) {
        if (entries.some((e) => matching.some((m) => applies(m, e)))) continue;
        findings.push({
          id: `Action::${pattern}`,
          message: `${s.label}: ${pattern} applies to none of its resources (${entries.map((e) => e.label).join(', ')}): ${expected(matching)}`,
        });
      }
      for (const entry of entries) {
        if (actions.some(({ matching }) => matching.some((m) => applies(m, entry)))) continue;
        findings.push({
          id: `Resource::${entry.label}`,
          message: `${s.label}: resource ${entry.label} fits none of its actions (${actions.map((a) => a.pattern).join(', ')}) in AWS's service authorization reference`,
        });
      }
    }
    return findings;
  },
};
