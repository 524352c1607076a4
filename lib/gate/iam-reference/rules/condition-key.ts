import { documentedKeys, globalKey, keyMatches, keyType, matchingActions, splitAction, type ReferenceAction } from '../catalogue';
import { conditionEntries } from '../conditions';
import { actionsOf, statementsOf } from '../policies';
import type { ReferenceFinding, ReferenceRule } from '../rule';

const list = (keys: readonly string[]) => (keys.length ? [...new Set(keys)].join(', ') : 'no service key');

/**
 * Every condition key is a global key or one AWS documents for the
 * statement's actions: for an action, the action's own keys and those of its
 * resource types. For an action pattern in an Allow, every action it matches
 * must document the key (an Allow whose key is absent never applies to that
 * action: `iam:*RolePolicy` under iam:PolicyARN allows Attach/Detach but never
 * Put/Delete), unless the operator is ...IfExists; in a Deny, or with
 * ...IfExists, at least one matching action must. Under NotAction (or Action
 * "*") the statement's actions are open-ended, so there the key must at least
 * exist in AWS's reference.
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
      const entries = conditionEntries(s.body);
      const keys = [...new Set(entries.map((c) => c.key))];
      // Every matching action must document the key when the statement allows and the key is tested without IfExists.
      const everyAction = (key: string) => s.body.Effect === 'Allow' && entries.some((c) => c.key === key && !c.operator.endsWith('IfExists'));
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
          // Not "*" (open-ended above), so the reference answers with the actions it matches; none: IAMReference-Action reports it.
          const matching = matchingActions(action)!;
          const documents = (m: ReferenceAction) => documentedKeys(m).some((d) => keyMatches(key, d));
          const lacking = matching.filter((m) => !documents(m));
          if (lacking.length === 0 || (!everyAction(key) && lacking.length < matching.length)) continue;
          const expected =
            matching.length === 1
              ? `AWS documents ${list(documentedKeys(matching[0]!))} for it (its own keys and its resource types' keys)`
              : lacking.length === matching.length
                ? `none of the ${matching.length} actions it matches documents it`
                : `an Allow without IfExists never applies to ${lacking.length} of the ${matching.length} actions it matches, which do not document it: ${lacking.map((m) => `${m.service}:${m.action.name}`).sort().join(', ')}`;
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
