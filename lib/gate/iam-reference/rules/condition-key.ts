import { documentedKeys, globalKey, keyMatches, keyType, matchingActions, splitAction } from '../catalogue';
import { conditionEntries } from '../conditions';
import { actionsOf, statementsOf } from '../policies';
import type { ReferenceFinding, ReferenceRule } from '../rule';

const list = (keys: readonly string[]) => (keys.length ? [...new Set(keys)].join(', ') : 'no service key');

/**
 * Every condition key is a global key or one AWS documents for the
 * statement's actions: for an action, the action's own keys and those of its
 * resource types; for an action pattern, at least one action it matches.
 * Under NotAction (or Action "*") the statement's actions are open-ended, so
 * there the key must at least exist in AWS's reference.
 */
export const ConditionKeyDocumented: ReferenceRule = {
  id: 'ConditionKey',
  info: 'A condition tests a key that AWS does not send for the statement\'s actions.',
  explanation:
    'A key absent from the request context makes the condition false (or, negated, true) for every request, so an Allow never applies or a Deny always does. ' +
    'Keys are checked against AWS\'s global condition keys and the keys its service authorization reference documents for each action and resource type.',
  check: (node) => {
    const findings: ReferenceFinding[] = [];
    for (const s of statementsOf(node)) {
      const keys = [...new Set(conditionEntries(s.body).map((c) => c.key))];
      const actions = actionsOf(s.body, 'Action');
      const openEnded = actionsOf(s.body, 'NotAction').length > 0 || actions.includes('*');
      for (const key of keys) {
        if (globalKey(key)) continue;
        if (openEnded) {
          const services = [...actions, ...actionsOf(s.body, 'NotAction')].flatMap((a) => splitAction(a)?.service ?? []);
          if (!keyType(key, services)) {
            findings.push({ id: key, message: `${s.label}: condition key ${key} is neither a global condition key nor one AWS's service authorization reference documents` });
          }
          continue;
        }
        for (const action of actions) {
          const matching = matchingActions(action) ?? [];
          if (matching.length === 0) continue; // IAMReference-Action reports it
          if (matching.some((m) => documentedKeys(m).some((d) => keyMatches(key, d)))) continue;
          const expected =
            matching.length === 1
              ? `AWS documents ${list(documentedKeys(matching[0]!))} for it (its own keys and its resource types' keys)`
              : `none of the ${matching.length} actions it matches documents it`;
          findings.push({
            id: `${key} for ${action}`,
            message: `${s.label}: condition key ${key} is not documented for ${action}: ${expected}, besides the global aws: keys`,
          });
        }
      }
    }
    return findings;
  },
};
