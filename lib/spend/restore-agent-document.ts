/**
 * Restore of one agent's gateway after its breaker tripped: the SSM Command document
 * `<name>-restore-agent`, one String parameter `agent` whose allowedPattern admits exactly the
 * deployment's gateway ids (^(ops|support)$ for the example), and a fixed script that:
 *   1. checks the id once more against the same list (SSM itself refuses a value outside the
 *      allowedPattern at SendCommand; SSM pastes the value into the script text, so it is that
 *      pattern, not this check, that keeps a quote or other shell syntax out of the script),
 *   2. prints the marker <breakerDir>/<id>.tripped (what stopped it) when there is one, and then
 *      writes <id>.restored (root 0600: the spend meter's next run counts the gateway's limits
 *      again from that moment, host/spend-meter/breaker.ts) and removes the marker,
 *   3. `systemctl reset-failed` and `systemctl start openclaw-gateway@<id>.service`.
 * No free-form shell: the operator policy (lib/access/operator-access.ts) lets the break-glass
 * role send this document, with the deployment's other own documents, to the deployment's
 * instance only; AWS-RunShellScript stays denied. `npm run restore -- --agent <id>` sends it
 * (scripts/kill-switch.ts, lib/spend/restore-agent.ts).
 */
import { Construct } from 'constructs';
import { SPEND_METER_BREAKER_DIR } from '../host/spend-meter';
import { commandDocument } from '../shared/command-document';

/** The document's name. */
export const restoreAgentDocumentName = (deploymentName: string) => `${deploymentName}-restore-agent`;
/** Its one parameter. */
export const RESTORE_AGENT_PARAMETER = 'agent';

/** The parameter's allowedPattern: exactly one of `ids` (gateway ids are [a-z0-9_-]: nothing to escape). */
export function restoreAgentPattern(ids: readonly string[]): string {
  if (ids.length === 0 || ids.some((id) => !/^[a-z0-9][a-z0-9_-]*$/.test(id))) throw new Error(`restore-agent: gateway ids must match [a-z0-9][a-z0-9_-]* (got ${ids.join(', ')})`);
  return `^(${ids.join('|')})$`;
}

/**
 * The script's lines, SSM's `{{ agent }}` in them: `ids` the gateways, `breakerDir` the
 * markers' folder, `systemctl` the program (the host's by default; a test passes a stand-in).
 */
export function restoreAgentScript(ids: readonly string[], breakerDir: string = SPEND_METER_BREAKER_DIR, systemctl = 'systemctl'): string[] {
  restoreAgentPattern(ids);
  return [
    'set -euo pipefail',
    `id='{{ ${RESTORE_AGENT_PARAMETER} }}'`,
    `case "$id" in ${ids.join('|')}) ;; *) echo "restore-agent: no gateway '$id' on this host (gateways: ${ids.join(', ')})" >&2; exit 2 ;; esac`,
    `dir='${breakerDir}'`,
    'marker="$dir/$id.tripped"',
    'if [ -e "$marker" ]; then',
    '  reason=$(grep -o \'"reason":"[a-z0-9-]*"\' "$marker" | head -n 1 | cut -d \'"\' -f 4 || true)',
    '  was=$(head -c 2048 "$marker" | tr -d \'\\n\')',
    '  umask 077',
    '  date -u +%Y-%m-%dT%H:%M:%SZ > "$dir/$id.restored"',
    '  rm -f -- "$marker"',
    '  echo "restore-agent: gateway $id restored (it had tripped: ${reason:-unknown}; its marker was: $was)"',
    'else',
    '  echo "restore-agent: gateway $id had not tripped; starting it"',
    'fi',
    `${systemctl} reset-failed "openclaw-gateway@$id.service" || true`,
    `${systemctl} start "openclaw-gateway@$id.service"`,
  ];
}

export interface RestoreAgentDocumentProps {
  /** `<prefix>-<client>-<env>`: names the document. */
  readonly deploymentName: string;
  /** The deployment's gateway ids (agentGateways(config)), the only values `agent` admits. */
  readonly gatewayIds: readonly string[];
}

/** The SSM Command document that restores one agent's gateway (see the module comment). */
export class RestoreAgentDocument extends Construct {
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: RestoreAgentDocumentProps) {
    super(scope, id);
    this.documentName = restoreAgentDocumentName(props.deploymentName);
    commandDocument(this, 'Document', {
      name: this.documentName,
      description: `Restore one agent's gateway of ${props.deploymentName} after its breaker stopped it: remove its breaker marker and start its unit`,
      parameters: {
        [RESTORE_AGENT_PARAMETER]: { description: `The gateway to restore: ${props.gatewayIds.join(', ')}`, allowedPattern: restoreAgentPattern(props.gatewayIds) },
      },
      stepName: 'restoreAgent',
      timeoutSeconds: 60,
      runCommand: restoreAgentScript(props.gatewayIds),
    });
  }
}
