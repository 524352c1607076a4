/**
 * Reads a systemd unit file (or drop-in) the way systemd does: its `Key=value`
 * assignments in order, and the effective value of a single or list setting.
 */

/** One `Key=value` line of a unit file, in order. */
export interface UnitEntry {
  /** The section it is in, without brackets ('Unit', 'Service'); '' before the first header. */
  readonly section: string;
  /** The setting's name, trimmed. */
  readonly key: string;
  /** Everything after the first `=`, trimmed, continuation lines joined with a space ('' resets a list). */
  readonly value: string;
  /** The 1-based line number of its first line. */
  readonly line: number;
}

/**
 * Parses a unit file (or drop-in) the way systemd reads it: sections, `Key=value`,
 * comments (# ;), backslash line continuation. Keeps every assignment in order, since
 * list settings accumulate and an empty assignment resets them.
 */
export function parseUnit(text: string): UnitEntry[] {
  const entries: UnitEntry[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      line = `${line.slice(0, -1)} ${lines[++i]!.trim()}`;
    }
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`unit line ${start}: expected Key=value, got ${JSON.stringify(line)}`);
    entries.push({ section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: start });
  }
  return entries;
}

/** The effective values of a list setting: assignments accumulate, an empty one resets. */
export function unitList(entries: readonly UnitEntry[], section: string, key: string): string[] {
  let list: string[] = [];
  for (const e of entries) {
    if (e.section !== section || e.key !== key) continue;
    list = e.value === '' ? [] : [...list, ...e.value.split(/\s+/)];
  }
  return list;
}

/** The last assignment of a setting (what systemd uses for a single-valued one), or undefined. */
export function unitValue(entries: readonly UnitEntry[], section: string, key: string): string | undefined {
  return entries.filter((e) => e.section === section && e.key === key).pop()?.value;
}
