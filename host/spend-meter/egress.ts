/**
 * Each gateway's refused egress since the last run, for its breaker (blockedEgressPer5Min):
 *
 *   - its nftables counter egress_blocked_<id> (table inet <nftTable>): the direct
 *     connections its user tried past the proxy, refused by the host firewall. Read with
 *     `nft -j list counter inet <table> <name>` (JSON: {"nftables":[{"metainfo":...},
 *     {"counter":{"family":"inet","name":...,"table":...,"handle":N,"packets":P,"bytes":B}}]});
 *     the figure is the growth of `packets` since the last read (a counter that went down
 *     was reset by a reload of the ruleset: all of its value is new).
 *   - squid's access log: the lines of its proxy port with a TCP_DENIED result (a request
 *     for a name its allowlist does not hold), read by lib/host/egress-log-line.ts, the same
 *     parser the metric filter's tests use. Squid's native format, with the port the
 *     request came in on appended as the last field (host/squid/squid.conf, logformat):
 *       1795251856.981    0 127.0.0.1 TCP_DENIED/403 3912 CONNECT evil.example:443 - HIER_NONE/- text/html 3130
 *     Read from where the last run stopped (another inode, or a shorter file: rotated, read
 *     from the start); a line counts at its own time.
 *
 * Never trusted: a counter that cannot be read, or a log line not of that shape, is
 * skipped with a warning, never read as a figure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { parseEgressLogLine } from '../../lib/host/egress-log-line';
import type { SpendMeterManifest } from '../../lib/host/spend-meter';
import type { LogCursor } from './state';

/** Most bytes of the access log read in one run (the rest next run). */
export const MAX_LOG_BYTES_PER_RUN = 16 * 1024 * 1024;
/** How long `nft` may take. */
export const NFT_TIMEOUT_MS = 5_000;

/** The packets of one named counter, or why they could not be read (`nft` given up after `timeoutMs`). */
export function readNftCounter(nft: string, table: string, counter: string, timeoutMs: number = NFT_TIMEOUT_MS): { packets: number } | { error: string } {
  let text: string;
  try {
    text = execFileSync(nft, ['-j', 'list', 'counter', 'inet', table, counter], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    return { error: `nft list counter inet ${table} ${counter}: ${String(err.stderr || err.message || e).replace(/\s+/g, ' ').trim().slice(0, 200)}` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { error: `nft list counter inet ${table} ${counter}: not JSON` };
  }
  const items = (doc as { nftables?: unknown })?.nftables;
  if (Array.isArray(items)) {
    for (const item of items) {
      const c = (item as { counter?: { name?: unknown; table?: unknown; packets?: unknown } })?.counter;
      if (c && c.name === counter && c.table === table && typeof c.packets === 'number' && Number.isSafeInteger(c.packets) && c.packets >= 0) return { packets: c.packets };
    }
  }
  return { error: `nft list counter inet ${table} ${counter}: no such counter in the answer` };
}

/** The growth of a counter since `previous` (undefined: first read, nothing to compare: 0). */
export function counterGrowth(previous: number | undefined, now: number): number {
  if (previous === undefined) return 0;
  return now >= previous ? now - previous : now;
}

/** One refused request of the access log: when, and on which port. */
export interface DeniedLine {
  readonly at: number;
  readonly port: number;
}

/**
 * A refusal of the access log (parseEgressLogLine's `denied`: TCP_DENIED/, what the
 * egress-blocked metric filter counts too); undefined for any other line.
 */
export function parseDeniedLine(line: string): DeniedLine | undefined {
  const parsed = parseEgressLogLine(line);
  return parsed?.denied ? { at: Math.round(parsed.time * 1000), port: parsed.port } : undefined;
}

/** The refused requests written to `file` since `cursor`, and the cursor after them. */
export function readDeniedLines(file: string, cursor: LogCursor | undefined): { lines: DeniedLine[]; cursor?: LogCursor; warning?: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // No log yet (squid has not written one since it was rotated away): nothing refused.
    if (code === 'ENOENT') return { lines: [], ...(cursor ? { cursor } : {}) };
    return { lines: [], ...(cursor ? { cursor } : {}), warning: `${file}: cannot read it (${code ?? 'error'}); refused requests not counted this run` };
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return { lines: [], warning: `${file}: not a regular file` };
    let pos = cursor && cursor.ino === st.ino && cursor.pos <= st.size ? cursor.pos : 0;
    // A first read, or after rotation, of a large file: its last part (older lines are out of the window anyway).
    let skipPartial = false;
    if (!cursor && st.size > MAX_LOG_BYTES_PER_RUN) {
      pos = st.size - MAX_LOG_BYTES_PER_RUN;
      skipPartial = true;
    }
    const length = Math.min(st.size - pos, MAX_LOG_BYTES_PER_RUN);
    if (length <= 0) return { lines: [], cursor: { ino: st.ino, pos } };
    const buf = Buffer.alloc(length);
    const read = fs.readSync(fd, buf, 0, length, pos);
    let text = buf.subarray(0, read).toString('utf8');
    const end = text.lastIndexOf('\n');
    // Only whole lines: a line squid is still writing is read next run.
    if (end < 0) return { lines: [], cursor: { ino: st.ino, pos } };
    const consumed = Buffer.byteLength(text.slice(0, end + 1), 'utf8');
    text = text.slice(0, end);
    const all = text.split('\n');
    if (skipPartial) all.shift();
    const lines = all.map(parseDeniedLine).filter((l): l is DeniedLine => l !== undefined);
    return { lines, cursor: { ino: st.ino, pos: pos + consumed } };
  } finally {
    fs.closeSync(fd);
  }
}

/** The refused egress of each gateway this run: nft counter growth plus denied lines, by gateway id. */
export function blockedEgress(
  manifest: SpendMeterManifest,
  previous: { nftPackets: (id: string) => number | undefined; logCursor?: LogCursor },
  nft: string,
): { nft: Map<string, { growth: number; packets?: number }>; denied: Map<string, number[]>; logCursor?: LogCursor; warnings: string[] } {
  const warnings: string[] = [];
  const nftOut = new Map<string, { growth: number; packets?: number }>();
  for (const g of manifest.gateways) {
    const r = readNftCounter(nft, manifest.nftTable, g.nftCounter);
    if ('error' in r) {
      warnings.push(`${r.error}; gateway ${g.id}'s refused direct connections not counted this run`);
      const kept = previous.nftPackets(g.id);
      nftOut.set(g.id, { growth: 0, ...(kept !== undefined ? { packets: kept } : {}) });
    } else nftOut.set(g.id, { growth: counterGrowth(previous.nftPackets(g.id), r.packets), packets: r.packets });
  }
  const log = readDeniedLines(manifest.egressAccessLog, previous.logCursor);
  if (log.warning) warnings.push(log.warning);
  const byPort = new Map(manifest.gateways.map((g) => [g.proxyPort, g.id]));
  const denied = new Map<string, number[]>();
  for (const l of log.lines) {
    const id = byPort.get(l.port);
    if (id === undefined) continue;
    const list = denied.get(id) ?? [];
    list.push(l.at);
    denied.set(id, list);
  }
  return { nft: nftOut, denied, ...(log.cursor ? { logCursor: log.cursor } : {}), warnings };
}
