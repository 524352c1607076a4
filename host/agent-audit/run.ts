/**
 * One run of agent-audit.js: for each gateway (gateways.ts), the tool actions and outbound
 * messages its OpenClaw recorded in its audit ledger since the last run (ledger.ts), each
 * as one JSON line (record.ts; refusals told apart with denials.ts), appended to the audit
 * file, then the gateway's position saved (position.ts). A gateway that cannot be read is
 * reported and the others still exported.
 *
 * The audit file must exist (export-logs.sh creates it, root 0600, append-only with
 * chattr +a, and rotates it): this program only appends to it (O_APPEND), never creates,
 * truncates or renames it.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DatabaseSync } from 'node:sqlite';
import { parseOptions, UsageError } from './args';
import { findDenial, type Denial } from './denials';
import { findGateways, gatewayFile, passwdUids, STATE_DATABASE, type GatewayState } from './gateways';
import { checkLedger, ledgerReplaced, readLedger, type LedgerRow } from './ledger';
import { loadPosition, savePosition } from './position';
import { auditRecord } from './record';
import { closeQuietly, openReadOnly } from './sqlite';

/** The prefix of every line the program prints. */
export const PREFIX = 'openclaw-agent-audit:';

/** What a run printed and its exit status: 0 every gateway exported, 1 one or more failed, 2 bad command line. */
export interface RunResult {
  readonly out: string[];
  readonly err: string[];
  readonly code: number;
}

/**
 * One line for an error of any kind: its message when it has one, whatever realm made it
 * (node:sqlite's errors are not instances of a jest sandbox's Error), else the value as text.
 */
export const describeError = (e: unknown): string => {
  const message = typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : String(e);
  return message.split('\n')[0]!;
};

/** The agent database of `agent` in a gateway's state folder (OpenClaw 2026.9.6: one per agent). */
const agentDatabase = (agent: string) => path.posix.join('agents', agent, 'agent', 'openclaw-agent.sqlite');

/** Looks up refusals for the failed tool rows, one transcript database per agent, opened once. */
function denialsOf(gateway: GatewayState, rows: readonly LedgerRow[], warn: (line: string) => void): Map<number, Denial> {
  const found = new Map<number, Denial>();
  const open = new Map<string, DatabaseSync | null>();
  try {
    for (const row of rows) {
      if (row.kind !== 'tool_action' || row.status !== 'failed' || typeof row.agent_id !== 'string' || typeof row.tool_call_id !== 'string' || typeof row.run_id !== 'string') continue;
      if (!/^[a-z0-9-]{1,64}$/.test(row.agent_id)) continue;
      let db = open.get(row.agent_id);
      if (db === undefined) {
        db = null;
        const file = gatewayFile(gateway, agentDatabase(row.agent_id));
        if (file instanceof Error) warn(`${gateway.id}: ${file.message}`);
        else if (file) {
          try {
            db = openReadOnly(file);
          } catch (e) {
            warn(`${gateway.id}: cannot read ${file} (${describeError(e)}): its failed tool calls are exported as errors`);
          }
        }
        open.set(row.agent_id, db);
      }
      if (!db) continue;
      try {
        const denial = findDenial(db, row.run_id, row.tool_call_id, Number(row.occurred_at));
        if (denial) found.set(Number(row.sequence), denial);
      } catch (e) {
        warn(`${gateway.id}: cannot search the transcript of ${row.agent_id} (${describeError(e)})`);
      }
    }
  } finally {
    for (const db of open.values()) if (db) closeQuietly(db);
  }
  return found;
}

/** Exports one gateway; returns the number of records appended. Throws when the gateway could not be exported. */
function exportGateway(gateway: GatewayState, out: number, positionDir: string, warn: (line: string) => void): number {
  const file = gatewayFile(gateway, STATE_DATABASE);
  if (file instanceof Error) throw file;
  if (!file) return 0; // the gateway has not started yet
  let pos = loadPosition(positionDir, gateway.id, warn);
  let rows: LedgerRow[];
  const db = openReadOnly(file);
  try {
    checkLedger(db);
    if (ledgerReplaced(db, pos)) {
      warn(`${gateway.id}: the ledger no longer holds record ${pos.sequence} (${pos.eventId}) exported last, and has none after it: the state database was replaced; exporting it from its start`);
      pos = { sequence: 0, eventId: '' };
    }
    rows = readLedger(db, pos.sequence);
  } finally {
    closeQuietly(db);
  }
  if (rows.length === 0) return 0;
  const denials = denialsOf(gateway, rows, warn);
  const text = rows.map((r) => `${JSON.stringify(auditRecord(gateway.id, r, denials.get(Number(r.sequence))))}\n`).join('');
  fs.writeSync(out, text);
  const last = rows[rows.length - 1]!;
  savePosition(positionDir, gateway.id, { sequence: Number(last.sequence), eventId: String(last.event_id) });
  return rows.length;
}

/** Runs the export with the command line `argv`. */
export function runAgentAudit(argv: readonly string[]): RunResult {
  const out: string[] = [];
  const err: string[] = [];
  const warn = (line: string) => err.push(`${PREFIX} WARNING ${line}`);
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    if (e instanceof UsageError) return { out, err: [`${PREFIX} FAILED Usage: ${e.message}`], code: 2 };
    throw e;
  }
  let fd: number;
  let gateways: GatewayState[];
  try {
    const st = fs.lstatSync(options.out);
    if (!st.isFile()) throw new Error(`${options.out} is not a regular file`);
    // O_APPEND without O_CREAT: the file export-logs.sh prepared (append-only), nothing else.
    fd = fs.openSync(options.out, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW);
    gateways = findGateways(options.stateRoot, passwdUids(fs.readFileSync('/etc/passwd', 'utf8')), warn);
  } catch (e) {
    return { out, err: [...err, `${PREFIX} FAILED Setup: ${describeError(e)}`], code: 1 };
  }
  let code = 0;
  try {
    for (const g of gateways) {
      try {
        const n = exportGateway(g, fd, options.positionDir, warn);
        if (n > 0) out.push(`${PREFIX} ${g.id}: ${n} record${n === 1 ? '' : 's'}`);
      } catch (e) {
        err.push(`${PREFIX} FAILED ${g.id}: ${describeError(e)}`);
        code = 1;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return { out, err, code };
}
