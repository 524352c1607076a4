import { matchingActions, splitAction } from '../catalogue';
import { actionsOf, loneActionsOf, statementsOf } from '../policies';
import { serviceExists } from '../reference-data';
import type { ReferenceFinding, ReferenceRule } from '../rule';

/** Why an action (or action pattern) of a policy is not in AWS's reference, or undefined if it is. */
export function unknownAction(action: string): string | undefined {
  if (action === '*') return undefined;
  const parts = splitAction(action);
  if (!parts) return `${action} is not shaped "service:Action"`;
  if (!/[*?]/.test(parts.service) && !serviceExists(parts.service)) return `service prefix "${parts.service}" of ${action} is not in AWS's service authorization reference`;
  if (matchingActions(action)!.length > 0) return undefined;
  return /[*?]/.test(action)
    ? `the pattern ${action} matches no action AWS's service authorization reference lists for ${parts.service}`
    : `AWS's service authorization reference lists no action ${parts.name} for ${parts.service}`;
}

/** Every action and action pattern (Action, NotAction, a Lambda permission's Action) exists in AWS's reference. */
export const ActionExists: ReferenceRule = {
  id: 'Action',
  info: 'A policy names an action that AWS does not have.',
  explanation: 'IAM ignores an action that does not exist, so the statement grants or denies less than it says. Actions are checked against AWS\'s service authorization reference.',
  check: (node) => {
    const findings: ReferenceFinding[] = [];
    for (const s of statementsOf(node)) {
      for (const element of ['Action', 'NotAction'] as const) {
        for (const action of actionsOf(s.body, element)) {
          const why = unknownAction(action);
          if (why) findings.push({ id: action, message: `${s.label}: ${element} ${action}: ${why}` });
        }
      }
    }
    for (const lone of loneActionsOf(node)) {
      const why = typeof lone.action === 'string' ? unknownAction(lone.action) : undefined;
      if (why) findings.push({ id: String(lone.action), message: `${lone.label} ${String(lone.action)}: ${why}` });
    }
    return findings;
  },
};
