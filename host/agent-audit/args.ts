/**
 * The command line of agent-audit.js:
 *   node --jitless agent-audit.js --state-root DIR --out FILE --position-dir DIR
 * --state-root   the folder of the gateways' state folders (HOST_PATHS.stateDir: /var/lib/openclaw/<id>)
 * --out          the append-only audit file the records are appended to (AGENT_AUDIT_FILE)
 * --position-dir where the program keeps, per gateway, the last ledger record it exported
 */
import { strictArgs } from '../shared/strict-args';

export interface Options {
  readonly stateRoot: string;
  readonly out: string;
  readonly positionDir: string;
}

export const USAGE = 'usage: node agent-audit.js --state-root DIR --out FILE --position-dir DIR';

/** A bad command line: the message says what and how to call the program. */
export class UsageError extends Error {}

/** Parses argv (without node and the script); throws a UsageError. */
export function parseOptions(argv: readonly string[]): Options {
  const values = strictArgs(argv, { 'state-root': { type: 'string' }, out: { type: 'string' }, 'position-dir': { type: 'string' } }, (m) => new UsageError(`${m}; ${USAGE}`));
  const need = (k: string): string => {
    const v = values[k];
    if (typeof v !== 'string' || !v.startsWith('/')) throw new UsageError(`--${k} must be an absolute path; ${USAGE}`);
    return v;
  };
  return { stateRoot: need('state-root'), out: need('out'), positionDir: need('position-dir') };
}
