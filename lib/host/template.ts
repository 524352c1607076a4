/**
 * The placeholder engine that every host template (host/systemd, host/scripts,
 * host/cloud-init, host/nftables) shares: `@@NAME@@` is replaced by a
 * value; an unknown or left-over placeholder is an error, so nothing half-rendered
 * reaches a host. Also the checks and shapes of the values it substitutes (safe
 * shell words, unit names, brace-grouped path lists). The values themselves:
 * lib/host/template-values.ts. nginx.conf is not a template file: it stays a
 * template literal in lib/host/nginx-config.ts, which fetch-secrets.js bundles
 * (docs/decisions/0004-deployed-text-frozen-across-refactors.md).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The repo folder holding the host templates (host/cloud-init, host/systemd, host/scripts). */
export const HOST_SOURCE_DIR = path.resolve(__dirname, '..', '..', 'host');

export type TemplateValues = Readonly<Record<string, string>>;

/** Characters a path or name placeholder value may hold (no spaces, quotes, `$`, `;`, newlines). */
const SAFE_VALUE = /^[A-Za-z0-9_./:+=@-]+$/;
/** A systemd unit name as the journal export lists it (a shell word, no globs). */
const UNIT_NAME = /^[A-Za-z0-9_.@-]+\.(service|timer|socket|target)$/;

/** The one folder name below `parent` that systemd's LogsDirectory=/StateDirectory= take (`/var/log/x` -> `x`). */
export function directoryUnder(parent: string, dir: string): string {
  const name = path.posix.relative(parent, dir);
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) throw new Error(`host template: ${dir} must be one folder directly under ${parent}`);
  return name;
}

/**
 * Refuses what would break the shell or unit syntax it is substituted into: a value
 * outside SAFE_VALUE, a bundle path outside SAFE_VALUE, a script (`node -e '...'`) with a
 * newline or single quote, a unit name that is not a plain unit (UNIT_NAME).
 * hostTemplateValues runs it on its own values and lists.
 */
export function checkTemplateParts(
  values: TemplateValues,
  bundlePaths: readonly string[],
  scripts: TemplateValues,
  units: readonly string[],
): void {
  for (const [name, value] of Object.entries(values)) {
    if (!SAFE_VALUE.test(value)) throw new Error(`host template: unsafe value for @@${name}@@: ${JSON.stringify(value)}`);
  }
  for (const rel of bundlePaths) {
    if (!SAFE_VALUE.test(rel)) throw new Error(`host template: unsafe bundle path for @@BUNDLE_REQUIRED_FILES@@: ${JSON.stringify(rel)}`);
  }
  for (const [name, js] of Object.entries(scripts)) {
    if (/['\n]/.test(js)) throw new Error(`host template: ${name} must be one line without single quotes`);
  }
  for (const unit of units) {
    if (!UNIT_NAME.test(unit)) throw new Error(`host template: unsafe unit name for @@JOURNAL_UNITS@@: ${JSON.stringify(unit)}`);
  }
}

/**
 * Paths as shell words with brace expansion, for the user data's 16 KB: the paths of one
 * folder with one extension become one word, `dir/x{a,b}.ext` (x: what their names start
 * with), which bash expands to `dir/xa.ext dir/xb.ext` in the order given (a group stands
 * where its first path was).
 * The paths must not hold `,`, `{` or `}` (SAFE_VALUE).
 */
export function braceGroups(paths: readonly string[]): string[] {
  const groups = new Map<string, { dir: string; ext: string; stems: string[] }>();
  for (const p of paths) {
    const dir = p.slice(0, p.lastIndexOf('/') + 1); // '' without a '/' (lastIndexOf is -1)
    const base = p.slice(dir.length);
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.')) : '';
    const key = `${dir}\0${ext}`;
    const group = groups.get(key) ?? { dir, ext, stems: [] };
    group.stems.push(base.slice(0, base.length - ext.length));
    groups.set(key, group);
  }
  return [...groups.values()].map((g) => {
    if (g.stems.length === 1) return `${g.dir}${g.stems[0]}${g.ext}`;
    // What every stem starts with goes before the brace (never a whole stem: no empty alternative).
    let common = g.stems.reduce((a, b) => {
      const differ = [...a].findIndex((c, i) => c !== b[i]);
      return differ === -1 ? a : a.slice(0, differ);
    });
    if (g.stems.includes(common)) common = common.slice(0, -1);
    return `${g.dir}${common}{${g.stems.map((t) => t.slice(common.length)).join(',')}}${g.ext}`;
  });
}

/** `words` as one shell word list, wrapped at `width` columns with ` \` continuations (the body of a `for ... in`). */
export function shellWordLines(words: readonly string[], width = 110): string {
  const lines = [''];
  for (const word of words) {
    const last = lines[lines.length - 1]!;
    if (last && last.length + 1 + word.length > width) lines.push(word);
    else lines[lines.length - 1] = last ? `${last} ${word}` : word;
  }
  return lines.join(' \\\n  ');
}

const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

/**
 * Replaces every `@@NAME@@` of `text` with `values[NAME]`. Throws on a name
 * without a value, unless it is listed in `keep` (left in place for a later step).
 */
export function fillTemplate(text: string, values: TemplateValues, source: string, keep?: readonly string[]): string {
  const unknown = new Set<string>();
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    if (keep?.includes(name)) return whole;
    const value = values[name];
    if (value === undefined) {
      unknown.add(name);
      return whole;
    }
    return value;
  });
  if (unknown.size) throw new Error(`host template ${source}: no value for ${[...unknown].map((n) => `@@${n}@@`).join(', ')}`);
  return out;
}

/** The text of a template under host/, e.g. readHostSource('systemd/openclaw-gateway.service'). */
export function readHostSource(rel: string): string {
  return fs.readFileSync(path.join(HOST_SOURCE_DIR, rel), 'utf8');
}
