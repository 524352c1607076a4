/**
 * Where the export of each gateway stopped: <position dir>/<gateway>.json, root 0600,
 * {"sequence": N, "eventId": "..."} of the last ledger row appended to the audit file.
 * Saved only after the append succeeded (written to a temporary file, then renamed): a run
 * that dies between the two appends those rows again on the next run (the eventId tells
 * the duplicates apart), never skips one.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { LedgerPosition } from './ledger';

const START: LedgerPosition = { sequence: 0, eventId: '' };

/** The saved position of `gateway`; the start when none (or unreadable: `warn` says so). */
export function loadPosition(dir: string, gateway: string, warn: (line: string) => void): LedgerPosition {
  const file = path.join(dir, `${gateway}.json`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${file}: cannot read (${(e as Error).message}); exporting the ledger of ${gateway} from its start`);
    return START;
  }
  try {
    const doc = JSON.parse(text) as { sequence?: unknown; eventId?: unknown };
    if (Number.isSafeInteger(doc.sequence) && (doc.sequence as number) >= 0 && typeof doc.eventId === 'string') return { sequence: doc.sequence as number, eventId: doc.eventId };
  } catch {
    // reported below
  }
  warn(`${file}: not a position; exporting the ledger of ${gateway} from its start`);
  return START;
}

/** Saves the position of `gateway` (temporary file, then rename). */
export function savePosition(dir: string, gateway: string, pos: LedgerPosition): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${gateway}.json`);
  fs.writeFileSync(`${file}.new`, `${JSON.stringify(pos)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.new`, file);
}
