/**
 * Mutation-testing score report (`npm run mutate` runs it at the end; run it alone with
 * `npx tsx scripts/mutation-report.ts` after editing reports/mutation/equivalent.json).
 *
 * Reads the accumulated Stryker report (mutation-testing-elements schema,
 * reports/mutation/stryker-incremental.json), the run metadata (runs.json) and the
 * explained equivalent mutants (equivalent.json), and writes docs/mutation-score.md:
 * per control folder the mutants, killed, survived, no coverage, timeout, explained
 * equivalents and the score
 *
 *     killed by focused tests / (all mutants - explained equivalents)
 *
 * (timeouts are NOT counted as killed; compile and runtime errors are not mutants),
 * then every mutant not killed, with file:line and the mutation, and every explained
 * equivalent with its reason. An explanation whose mutant no longer survives is listed
 * as stale and not subtracted.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the ignorer's reason, shared with the Stryker plugin (CommonJS)
const { DESCRIBE_TEXT_REASON } = require('./stryker/describe-text.cjs') as { DESCRIBE_TEXT_REASON: string };

export type MutantStatus = 'Killed' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Timeout' | 'Ignored' | 'Pending';

export interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
  status: MutantStatus;
  statusReason?: string;
  coveredBy?: string[];
  killedBy?: string[];
  static?: boolean;
  [key: string]: unknown;
}
export interface ReportTest {
  id: string;
  name: string;
  [key: string]: unknown;
}
export interface MutationReport {
  schemaVersion?: string;
  thresholds?: unknown;
  projectRoot?: string;
  files: Record<string, { language?: string; source?: string; mutants: ReportMutant[]; [key: string]: unknown }>;
  testFiles?: Record<string, { tests: ReportTest[]; source?: string; [key: string]: unknown }>;
  [key: string]: unknown;
}
/** When and against which commit each file's mutants were last run, and with which tests. */
export interface RunLog {
  files: Record<string, { date: string; commit: string; tests: string }>;
}
export interface EquivalentEntry {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  /**
   * The source text the mutant replaces, where file, line, mutator and replacement name more
   * than one mutant (seven `false` conditions on one line): only that one is explained.
   * @default - every mutant of the key
   */
  original?: string;
  reason: string;
}

/** The source text a mutant replaces (Stryker's 1-based lines, 1-based columns). */
export function originalText(source: string, location: ReportMutant['location']): string {
  const lines = source.split('\n');
  const { start, end } = location;
  if (start.line === end.line) return (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1);
  return [(lines[start.line - 1] ?? '').slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join('\n');
}

/** The control folders, as in stryker.config.mjs; a lambda is reported per function. */
export const CONTROL_FOLDERS = [
  'lib/alarms',
  'lib/audit',
  'lib/compliance',
  'lib/config',
  'lib/edge',
  'lib/gate',
  'lib/host',
  'lib/keys',
  'lib/network',
  'lib/openclaw',
  'lib/secrets',
  'lib/shared',
  'lib/spend',
  'lambda',
  'host',
];

export function folderOf(file: string): string {
  const f = file.split(path.sep).join('/');
  if (f.startsWith('lambda/') || f.startsWith('host/')) return f.split('/').slice(0, 2).join('/');
  return CONTROL_FOLDERS.find((c) => f.startsWith(`${c}/`)) ?? path.posix.dirname(f);
}

/** One line of a replacement (mutations can span lines), shortened for a table. */
export function shortReplacement(replacement: string | undefined, max = 80): string {
  const one = (replacement ?? '').replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

export const equivalentKey = (file: string, line: number, mutator: string, replacement: string): string =>
  `${file}:${line}:${mutator}:${shortReplacement(replacement, 10_000)}`;

/**
 * Merges a run's report into the accumulated one: the run replaces the files (and test
 * files) it covers, others are kept. Test ids are per report in Stryker's output, so
 * every test gets a new id keyed by test file and name, and coveredBy/killedBy are
 * rewritten (a reference to a test that no longer exists is dropped).
 */
export function mergeReports(acc: MutationReport | undefined, run: MutationReport): MutationReport {
  const keyMaps = new Map<MutationReport, Map<string, string>>();
  const keysOf = (r: MutationReport) => {
    let m = keyMaps.get(r);
    if (!m) {
      m = new Map();
      for (const [file, tf] of Object.entries(r.testFiles ?? {})) for (const t of tf.tests) m.set(t.id, `${file}\u0000${t.name}`);
      keyMaps.set(r, m);
    }
    return m;
  };
  const testFiles: NonNullable<MutationReport['testFiles']> = { ...(acc?.testFiles ?? {}), ...(run.testFiles ?? {}) };
  const newIdByKey = new Map<string, string>();
  const mergedTestFiles: NonNullable<MutationReport['testFiles']> = {};
  for (const file of Object.keys(testFiles).sort()) {
    const tf = testFiles[file]!;
    mergedTestFiles[file] = {
      ...tf,
      tests: tf.tests.map((t) => {
        const id = String(newIdByKey.size);
        newIdByKey.set(`${file}\u0000${t.name}`, id);
        return { ...t, id };
      }),
    };
  }
  const remap = (r: MutationReport, ids: string[] | undefined) =>
    ids === undefined ? undefined : ids.map((id) => newIdByKey.get(keysOf(r).get(id) ?? '')).filter((x): x is string => x !== undefined);
  const files: MutationReport['files'] = {};
  const sources: [MutationReport, string[]][] = [
    ...(acc ? [[acc, Object.keys(acc.files).filter((f) => !(f in run.files))] as [MutationReport, string[]]] : []),
    [run, Object.keys(run.files)],
  ];
  for (const [r, names] of sources) {
    for (const name of names) {
      const file = r.files[name]!;
      files[name] = {
        ...file,
        mutants: file.mutants.map((m) => {
          const out: ReportMutant = { ...m };
          const coveredBy = remap(r, m.coveredBy);
          const killedBy = remap(r, m.killedBy);
          if (coveredBy) out.coveredBy = coveredBy;
          if (killedBy) out.killedBy = killedBy;
          return out;
        }),
      };
    }
  }
  const sortedFiles: MutationReport['files'] = {};
  for (const name of Object.keys(files).sort()) sortedFiles[name] = files[name]!;
  return { ...run, files: sortedFiles, testFiles: mergedTestFiles };
}

export interface FolderRow {
  folder: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  other: number;
  /** Compile or runtime errors (CDK refusing the construct at synth): not mutants of a deployable template, not counted. */
  invalid: number;
  /** Ignored by the describe-text ignorer (the text of a config key's description): not run, not counted, as in Stryker's own score. */
  ignored: number;
  equivalent: number;
  /** killed / (mutants - equivalent), or undefined when nothing is left to kill. */
  score: number | undefined;
  dates: string[];
  commits: string[];
  /** Files of the folder with results, and (when known) its .ts files on disk that hold code: a score over 1 of 30 files is not the folder's. */
  filesRun: number;
  filesInFolder?: number;
}
/** A control folder's .ts files on disk (repository-relative): those with code, and those with types only (nothing to mutate). */
export interface FolderFiles {
  withCode: string[];
  typesOnly: string[];
}
export interface MutantRow {
  file: string;
  line: number;
  mutator: string;
  replacement: string;
  status: MutantStatus;
  reason?: string;
}
export interface FileRow {
  file: string;
  mutants: number;
  killed: number;
  equivalent: number;
  tests: string;
}
export interface Summary {
  rows: FolderRow[];
  files: FileRow[];
  total: FolderRow;
  notRun: string[];
  /** Files with code, in a folder that has results, that have no results yet. */
  filesNotRun: string[];
  /** Files of those folders that hold only types: the compiler emits no code for them, so there is nothing to mutate. */
  typesOnly: string[];
  open: MutantRow[];
  equivalents: MutantRow[];
  stale: EquivalentEntry[];
  /** Files run whose source has changed since their run: their results are of the code as it was run. */
  changedSinceRun: string[];
}

const INVALID: MutantStatus[] = ['CompileError', 'RuntimeError'];

/** Only a mutant that no test kills can be equivalent (a timeout is not explained away). */
const explainable = (m: ReportMutant) => m.status === 'Survived' || m.status === 'NoCoverage';

/**
 * The explanation of each explainable mutant of `file`. An explanation names its mutant by line,
 * mutator, replacement and (where recorded) the source text it replaces. Code above it may move
 * since (a line added, a comment removed): an explanation with the text it replaces, whose line
 * no longer holds its mutant, then follows it to the one mutant of the file with the same
 * mutator, replacement and text that no other explanation names. Where two such mutants are
 * left, or the text was not recorded, it follows none (a reason must never land on a mutant it
 * was not written for): it is listed as an explanation whose mutant no longer survives.
 */
export function explainMutants(
  file: string,
  mutants: readonly ReportMutant[],
  source: string | undefined,
  explained: ReadonlyMap<string, EquivalentEntry[]>,
): Map<ReportMutant, EquivalentEntry> {
  const out = new Map<ReportMutant, EquivalentEntry>();
  const text = (m: ReportMutant) => (source === undefined ? undefined : originalText(source, m.location));
  const open = mutants.filter(explainable);
  const named = new Set<EquivalentEntry>();
  for (const m of open) {
    const key = equivalentKey(file, m.location.start.line, m.mutatorName, m.replacement ?? '');
    // Two entries of one key and text (two `', '` on one line, say) explain two mutants, one each.
    const fits = (explained.get(key) ?? []).filter((e) => e.original === undefined || e.original === text(m));
    const eq = fits.find((e) => !named.has(e)) ?? fits[0];
    if (eq) {
      out.set(m, eq);
      named.add(eq);
    }
  }
  const moved = [...explained.values()].flat().filter((e) => e.file === file && e.original !== undefined && !named.has(e));
  for (const e of moved) {
    const same = (m: ReportMutant) => m.mutatorName === e.mutator && shortReplacement(m.replacement, 10_000) === shortReplacement(e.replacement, 10_000) && text(m) === e.original;
    const candidates = open.filter((m) => !out.has(m) && same(m));
    if (candidates.length === 1) out.set(candidates[0]!, e);
  }
  return out;
}

export function summarize(
  report: MutationReport,
  equivalents: EquivalentEntry[],
  runs: RunLog,
  filesIn?: (folder: string) => FolderFiles | undefined,
  currentSource?: (file: string) => string | undefined,
  foldersOnDisk?: () => string[],
): Summary {
  const explained = new Map<string, EquivalentEntry[]>();
  for (const e of equivalents) {
    const k = equivalentKey(e.file, e.line, e.mutator, e.replacement);
    explained.set(k, [...(explained.get(k) ?? []), e]);
  }
  const used = new Set<EquivalentEntry>();
  const byFolder = new Map<string, FolderRow>();
  const open: MutantRow[] = [];
  const equivalentRows: MutantRow[] = [];
  const fileRows: FileRow[] = [];
  const emptyRow = (folder: string): FolderRow => ({
    folder, mutants: 0, killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0, invalid: 0, ignored: 0, equivalent: 0, score: undefined, dates: [], commits: [], filesRun: 0,
  });
  for (const file of Object.keys(report.files).sort()) {
    const folder = folderOf(file);
    const row = byFolder.get(folder) ?? emptyRow(folder);
    byFolder.set(folder, row);
    row.filesRun += 1;
    const run = runs.files[file];
    if (run) {
      if (!row.dates.includes(run.date)) row.dates.push(run.date);
      if (!row.commits.includes(run.commit)) row.commits.push(run.commit);
    }
    const fileRow: FileRow = { file, mutants: 0, killed: 0, equivalent: 0, tests: run?.tests ?? '' };
    fileRows.push(fileRow);
    const mutants = [...report.files[file]!.mutants].sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
    const explanationOf = explainMutants(file, mutants, report.files[file]!.source, explained);
    for (const m of mutants) {
      if (INVALID.includes(m.status)) {
        row.invalid += 1;
        continue;
      }
      // Only the describe-text ignorer's mutants are left out; any other Ignored mutant (a
      // `// Stryker disable` comment, say) is not killed and is listed like one.
      if (m.status === 'Ignored' && m.statusReason === DESCRIBE_TEXT_REASON) {
        row.ignored += 1;
        continue;
      }
      row.mutants += 1;
      fileRow.mutants += 1;
      const line = m.location.start.line;
      const mrow: MutantRow = { file, line, mutator: m.mutatorName, replacement: shortReplacement(m.replacement), status: m.status };
      if (m.status === 'Killed') {
        row.killed += 1;
        fileRow.killed += 1;
        continue;
      }
      if (m.status === 'Survived') row.survived += 1;
      else if (m.status === 'NoCoverage') row.noCoverage += 1;
      else if (m.status === 'Timeout') row.timeout += 1;
      else row.other += 1;
      const eq = explanationOf.get(m);
      if (eq) {
        used.add(eq);
        row.equivalent += 1;
        fileRow.equivalent += 1;
        equivalentRows.push({ ...mrow, reason: eq.reason });
      } else {
        open.push(mrow);
      }
    }
  }
  const score = (r: FolderRow) => (r.mutants - r.equivalent > 0 ? r.killed / (r.mutants - r.equivalent) : undefined);
  const rows = [...byFolder.values()].sort((a, b) => a.folder.localeCompare(b.folder));
  for (const r of rows) {
    r.score = score(r);
    r.dates.sort();
    r.commits.sort();
  }
  const total = emptyRow('all folders run');
  for (const r of rows) {
    for (const k of ['mutants', 'killed', 'survived', 'noCoverage', 'timeout', 'other', 'invalid', 'ignored', 'equivalent', 'filesRun'] as const) total[k] += r[k];
    for (const d of r.dates) if (!total.dates.includes(d)) total.dates.push(d);
    for (const c of r.commits) if (!total.commits.includes(c)) total.commits.push(c);
  }
  total.score = score(total);
  total.dates.sort();
  total.commits.sort();
  const filesNotRun: string[] = [];
  const typesOnly: string[] = [];
  for (const r of rows) {
    const files = filesIn?.(r.folder);
    if (!files) continue;
    r.filesInFolder = files.withCode.length;
    total.filesInFolder = (total.filesInFolder ?? 0) + files.withCode.length;
    filesNotRun.push(...files.withCode.filter((f) => !report.files[f]));
    typesOnly.push(...files.typesOnly);
  }
  const runFolders = new Set(rows.map((r) => r.folder));
  // A folder on disk with no file run (a new program under host/ or lambda/, say) is named,
  // with its files: a folder that was never run must not hide behind its siblings' rows.
  const notRun = (foldersOnDisk?.() ?? CONTROL_FOLDERS).filter((c) => ![...runFolders].some((f) => f === c || f.startsWith(`${c}/`)));
  for (const c of notRun) filesNotRun.push(...(filesIn?.(c)?.withCode ?? []));
  const stale = equivalents.filter((e) => !used.has(e));
  const changedSinceRun = fileRows
    .map((f) => f.file)
    .filter((f) => {
      const now = currentSource?.(f);
      const then = report.files[f]!.source;
      return now !== undefined && then !== undefined && now !== then;
    });
  return { rows, files: fileRows, total, notRun, filesNotRun: filesNotRun.sort(), typesOnly: typesOnly.sort(), open, equivalents: equivalentRows, stale, changedSinceRun };
}

export const formatScore = (score: number | undefined): string => (score === undefined ? 'n/a' : `${(Math.floor(score * 1000) / 10).toFixed(1)} %`);

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/`/g, "'");

export function formatMarkdown(summary: Summary): string {
  const out: string[] = [];
  out.push('# Mutation score of the control code');
  out.push('');
  out.push('Generated by `npm run mutate` (scripts/mutation-report.ts) from reports/mutation/stryker-incremental.json;');
  out.push('do not edit by hand. A benchmark, not a CI gate: see docs/testing.md, "Mutation testing".');
  out.push('');
  out.push('Score = killed by focused tests / (all mutants - explained equivalents). Whole-template snapshots and');
  out.push('the CLI tests are not part of the mutation run (jest.mutate.config.js), timeouts are not counted as');
  out.push('killed, and mutants that do not compile or that the code rejects before any test runs (a test');
  out.push('file whose synth throws: CDK refusing a missing required property, an empty construct id) are');
  out.push('listed as "rejected" and not counted. "ignored": mutants in the text of a config key\'s description');
  out.push('(zod `.describe(...)`; documentation, not a control: scripts/stryker/describe-text-ignorer.mjs), not run and not counted,');
  out.push('as in Stryker\'s own score. "other" is Pending, or Ignored for any other reason (listed below as not killed).');
  out.push('');
  out.push('| folder | files run | mutants | killed | survived | no coverage | timeout | other | equivalent (explained) | score of the files run | rejected (not counted) | ignored (not counted) | run on | commit |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
  const line = (r: FolderRow, bold = false) => {
    const b = (s: string | number) => (bold ? `**${s}**` : String(s));
    out.push(
      `| ${b(r.folder)} | ${b(r.filesInFolder === undefined ? r.filesRun : `${r.filesRun} of ${r.filesInFolder}`)} | ${b(r.mutants)} | ${b(r.killed)} | ${b(r.survived)} | ${b(r.noCoverage)} | ${b(r.timeout)} | ${b(r.other)} | ${b(r.equivalent)} | ${b(formatScore(r.score))} | ${b(r.invalid)} | ${b(r.ignored)} | ${r.dates.join(', ')} | ${r.commits.join(', ')} |`,
    );
  };
  for (const r of summary.rows) line(r);
  line(summary.total, true);
  out.push('');
  out.push(`Not run yet: ${summary.notRun.length ? summary.notRun.join(', ') : 'none'}.`);
  out.push('');
  out.push(`Files with code not run yet: ${summary.filesNotRun.length ? summary.filesNotRun.join(', ') : 'none'}.`);
  out.push('');
  out.push(
    `Files with types only (the TypeScript compiler emits no code for them: nothing to mutate, not counted): ${summary.typesOnly.length ? summary.typesOnly.join(', ') : 'none'}.`,
  );
  out.push('');
  out.push(
    `Files changed since their run (their rows and mutants are of the code as it was run; \`npm run mutate -- <file>\` refreshes them): ${summary.changedSinceRun.length ? summary.changedSinceRun.join(', ') : 'none'}.`,
  );
  out.push('');
  out.push(`## Files run (${summary.files.length})`);
  out.push('');
  out.push('| file | mutants | killed | equivalent | tests run |');
  out.push('|---|---:|---:|---:|---|');
  for (const f of summary.files) out.push(`| ${f.file} | ${f.mutants} | ${f.killed} | ${f.equivalent} | ${cell(f.tests)} |`);
  out.push('');
  out.push(`## Mutants not killed (${summary.open.length})`);
  out.push('');
  if (summary.open.length) {
    out.push('| file:line | status | mutator | mutation |');
    out.push('|---|---|---|---|');
    for (const m of summary.open) out.push(`| ${m.file}:${m.line} | ${m.status} | ${m.mutator} | \`${cell(m.replacement)}\` |`);
  } else out.push('None.');
  out.push('');
  out.push(`## Explained equivalent mutants (${summary.equivalents.length})`);
  out.push('');
  out.push('From reports/mutation/equivalent.json (keyed by file, line, mutator and replacement).');
  out.push('');
  if (summary.equivalents.length) {
    out.push('| file:line | mutator | mutation | why it is equivalent |');
    out.push('|---|---|---|---|');
    for (const m of summary.equivalents) out.push(`| ${m.file}:${m.line} | ${m.mutator} | \`${cell(m.replacement)}\` | ${cell(m.reason ?? '')} |`);
  } else out.push('None.');
  if (summary.stale.length) {
    out.push('');
    out.push(`## Stale explanations (${summary.stale.length})`);
    out.push('');
    out.push('These entries of equivalent.json match no surviving mutant (the code moved, or a test now kills it); they are not subtracted.');
    out.push('');
    for (const e of summary.stale) out.push(`- ${e.file}:${e.line} ${e.mutator} \`${cell(shortReplacement(e.replacement))}\``);
  }
  out.push('');
  return out.join('\n');
}

export const PATHS = {
  accumulated: 'reports/mutation/stryker-incremental.json',
  runs: 'reports/mutation/runs.json',
  equivalents: 'reports/mutation/equivalent.json',
  lastRun: 'reports/mutation/last-run.json',
  markdown: 'docs/mutation-score.md',
};

const readJson = <T>(file: string, fallback: T): T => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : fallback);

/** Whether a repository-relative file matches one of Stryker's mutate patterns (`**`, `*`, `!` exclusions). */
export function matchesPatterns(file: string, patterns: readonly string[]): boolean {
  const toRegex = (glob: string) =>
    new RegExp(
      `^${glob
        .split(/(\*\*\/|\*\*|\*)/)
        .map((part) => (part === '**/' ? '(?:.*/)?' : part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return include.some((p) => toRegex(p).test(file)) && !exclude.some((p) => toRegex(p).test(file));
}

/** Makes report paths relative to the repository root (Stryker may write absolute ones). */
export function relativize(report: MutationReport, root: string): MutationReport {
  const rel = (p: string) => (path.isAbsolute(p) ? path.relative(root, p) : p).split(path.sep).join('/');
  const files: MutationReport['files'] = {};
  for (const [k, v] of Object.entries(report.files)) files[rel(k)] = v;
  const testFiles: NonNullable<MutationReport['testFiles']> = {};
  for (const [k, v] of Object.entries(report.testFiles ?? {})) testFiles[k === '' ? '' : rel(k)] = v;
  return { ...report, files, testFiles };
}

/** Merges the last run (if given) into the accumulated report, then writes the markdown. */
/** The .ts files (not .d.ts) below a folder: what `npm run mutate -- <folder>` mutates. */
/** Whether a TypeScript source emits any code (a file of interfaces and type imports emits none). */
export function emitsCode(source: string): boolean {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, removeComments: true } }).outputText;
  const rest = js
    .replace(/^"use strict";$/m, '')
    .replace(/^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/m, '')
    .trim();
  return rest !== '';
}

/** The .ts files under `folder` (repository-relative, sorted), split by whether they hold code. */
function filesOf(root: string, folder: string): FolderFiles | undefined {
  const dir = path.join(root, folder);
  if (!fs.existsSync(dir)) return undefined;
  const out: FolderFiles = { withCode: [], typesOnly: [] };
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(p);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
        (emitsCode(fs.readFileSync(p, 'utf8')) ? out.withCode : out.typesOnly).push(path.relative(root, p).split(path.sep).join('/'));
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * The control folders as the report counts them (folderOf): each program folder under lambda/
 * and host/ that holds code, and each other control folder that exists.
 */
export function controlFoldersOnDisk(root: string): string[] {
  const out: string[] = [];
  for (const c of CONTROL_FOLDERS) {
    const dir = path.join(root, c);
    if (!fs.existsSync(dir)) continue;
    if (c !== 'lambda' && c !== 'host') {
      out.push(c);
      continue;
    }
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && (filesOf(root, `${c}/${e.name}`)?.withCode.length ?? 0) > 0) out.push(`${c}/${e.name}`);
    }
  }
  return out;
}

export function writeReport(
  root: string,
  lastRun?: { report: MutationReport; date: string; commit: string; tests: string; mutated?: (file: string) => boolean },
): Summary {
  const p = (f: string) => path.join(root, f);
  let acc = readJson<MutationReport | undefined>(p(PATHS.accumulated), undefined);
  const runs = readJson<RunLog>(p(PATHS.runs), { files: {} });
  if (lastRun) {
    // Stryker's report also carries the files of its incremental input that this run did
    // not mutate: only the files the run was asked to mutate are merged and logged.
    const all = relativize(lastRun.report, root);
    const run: MutationReport = { ...all, files: Object.fromEntries(Object.entries(all.files).filter(([f]) => lastRun.mutated?.(f) ?? true)) };
    // A file with code that the run was asked to mutate but in which Stryker found nothing to
    // mutate (constants under `as const`, say) is not in its report: it is recorded as run, with no
    // mutants, and its source (Stryker's next incremental run reads every file's source).
    if (lastRun.mutated) {
      for (const folder of CONTROL_FOLDERS) {
        for (const f of filesOf(root, folder)?.withCode ?? []) if (lastRun.mutated(f) && !run.files[f]) run.files[f] = { language: 'typescript', source: fs.readFileSync(path.join(root, f), 'utf8'), mutants: [] };
      }
    }
    acc = mergeReports(acc, run);
    for (const file of Object.keys(run.files)) runs.files[file] = { date: lastRun.date, commit: lastRun.commit, tests: lastRun.tests };
  }
  // A file deleted since its run (moved, merged into another) has no mutants any more: its
  // results leave the report rather than count towards a score of code that is gone.
  const gone = Object.keys(acc?.files ?? {}).filter((f) => !fs.existsSync(p(f)));
  for (const f of gone) {
    delete acc!.files[f];
    delete runs.files[f];
  }
  if (acc && (lastRun || gone.length > 0)) {
    const sortedRuns: RunLog = { files: {} };
    for (const f of Object.keys(runs.files).sort()) sortedRuns.files[f] = runs.files[f]!;
    fs.writeFileSync(p(PATHS.accumulated), `${JSON.stringify(acc, null, 1)}\n`);
    fs.writeFileSync(p(PATHS.runs), `${JSON.stringify(sortedRuns, null, 2)}\n`);
  }
  const equivalents = readJson<EquivalentEntry[]>(p(PATHS.equivalents), []);
  const summary = summarize(
    acc ?? { files: {} },
    equivalents,
    runs,
    (folder) => filesOf(root, folder),
    (file) => (fs.existsSync(p(file)) ? fs.readFileSync(p(file), 'utf8') : undefined),
    () => controlFoldersOnDisk(root),
  );
  fs.writeFileSync(p(PATHS.markdown), formatMarkdown(summary));
  return summary;
}

if (require.main === module) {
  const summary = writeReport(path.resolve(__dirname, '..'));
  console.log(`${PATHS.markdown}: ${formatScore(summary.total.score)} over ${summary.total.mutants} mutants (${summary.open.length} not killed)`);
}
