import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  PATHS,
  controlFoldersOnDisk,
  folderOf,
  matchesPatterns,
  emitsCode,
  formatMarkdown,
  type FolderFiles,
  formatScore,
  mergeReports,
  originalText,
  summarize,
  writeReport,
  type EquivalentEntry,
  type MutationReport,
  type ReportMutant,
} from '../../scripts/mutation-report';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the ignorer's reason (CommonJS, shared with the Stryker plugin)
const { DESCRIBE_TEXT_REASON } = require('../../scripts/stryker/describe-text.cjs') as { DESCRIBE_TEXT_REASON: string };

// The mutation score report (scripts/mutation-report.ts): its arithmetic, its merge of a
// run into the accumulated report, and its markdown, on small hand-made Stryker reports.

let next = 0;
const mutant = (line: number, status: ReportMutant['status'], extra: Partial<ReportMutant> = {}): ReportMutant => ({
  id: String(next++),
  mutatorName: 'ObjectLiteral',
  replacement: '{}',
  location: { start: { line, column: 3 }, end: { line, column: 9 } },
  status,
  ...extra,
});

const REPORT: MutationReport = {
  files: {
    'lib/edge/a.ts': {
      mutants: [
        mutant(10, 'Killed'),
        mutant(11, 'Killed'),
        mutant(12, 'Killed'),
        mutant(13, 'Survived', { mutatorName: 'BooleanLiteral', replacement: 'false' }),
        mutant(14, 'Survived', { mutatorName: 'StringLiteral', replacement: '""' }),
        mutant(15, 'NoCoverage'),
        mutant(16, 'Timeout'),
        mutant(17, 'CompileError'),
        mutant(18, 'RuntimeError'),
      ],
    },
    // Ignored by the describe-text ignorer (not counted), and ignored for another reason (not killed).
    'lib/gate/b.ts': { mutants: [mutant(1, 'Killed'), mutant(2, 'Ignored', { statusReason: 'a Stryker disable comment' }), mutant(3, 'Ignored', { statusReason: DESCRIBE_TEXT_REASON })] },
    'lambda/kill-switch/index.ts': { mutants: [mutant(5, 'Killed')] },
  },
};
const EQUIVALENT: EquivalentEntry[] = [
  { file: 'lib/edge/a.ts', line: 14, mutator: 'StringLiteral', replacement: '""', reason: 'the name is only a label' },
  // Killed: an explanation of a killed mutant is stale and never subtracted.
  { file: 'lib/edge/a.ts', line: 10, mutator: 'ObjectLiteral', replacement: '{}', reason: 'stale' },
  // A timeout is a hang, not an equivalent mutant.
  { file: 'lib/edge/a.ts', line: 16, mutator: 'ObjectLiteral', replacement: '{}', reason: 'not applicable' },
];
const RUNS = { files: { 'lib/edge/a.ts': { date: '2026-12-05', commit: 'abc1234', tests: 'test/app/a.test.ts' } } };

describe('summarize', () => {
  const summary = summarize(REPORT, EQUIVALENT, RUNS);
  const row = (folder: string) => summary.rows.find((r) => r.folder === folder)!;

  test('counts per folder: compile and runtime errors are not mutants, timeouts and ignored are not killed', () => {
    expect(row('lib/edge')).toEqual({
      folder: 'lib/edge', mutants: 7, killed: 3, survived: 2, noCoverage: 1, timeout: 1, other: 0, invalid: 2, ignored: 0, equivalent: 1,
      score: 3 / 6, dates: ['2026-12-05'], commits: ['abc1234'], filesRun: 1,
    });
    expect(row('lib/gate')).toMatchObject({ mutants: 2, killed: 1, other: 1, ignored: 1, equivalent: 0, score: 0.5 });
    expect(row('lambda/kill-switch')).toMatchObject({ mutants: 1, killed: 1, score: 1 });
    expect(summary.rows.map((r) => r.folder)).toEqual(['lambda/kill-switch', 'lib/edge', 'lib/gate']);
  });

  test('the total is killed / (all mutants - explained equivalents) over every folder run; a mutant the describe-text ignorer left out is not a mutant of the score', () => {
    expect(summary.total).toMatchObject({ mutants: 10, killed: 5, equivalent: 1, invalid: 2, ignored: 1, score: 5 / 9 });
  });

  test('every mutant not killed and not explained is listed with file:line, status and mutation; explained ones carry their reason', () => {
    expect(summary.open).toEqual([
      { file: 'lib/edge/a.ts', line: 13, mutator: 'BooleanLiteral', replacement: 'false', status: 'Survived' },
      { file: 'lib/edge/a.ts', line: 15, mutator: 'ObjectLiteral', replacement: '{}', status: 'NoCoverage' },
      { file: 'lib/edge/a.ts', line: 16, mutator: 'ObjectLiteral', replacement: '{}', status: 'Timeout' },
      { file: 'lib/gate/b.ts', line: 2, mutator: 'ObjectLiteral', replacement: '{}', status: 'Ignored' },
    ]);
    expect(summary.equivalents).toEqual([
      { file: 'lib/edge/a.ts', line: 14, mutator: 'StringLiteral', replacement: '""', status: 'Survived', reason: 'the name is only a label' },
    ]);
    expect(summary.stale).toEqual([EQUIVALENT[1], EQUIVALENT[2]]);
  });

  test('control folders without results are named as not run', () => {
    expect(summary.notRun).toEqual(['lib/alarms', 'lib/audit', 'lib/compliance', 'lib/config', 'lib/host', 'lib/keys', 'lib/network', 'lib/openclaw', 'lib/secrets', 'lib/shared', 'lib/spend', 'host']);
  });

  test('an explanation matches only its own line, mutator and replacement', () => {
    const moved = summarize(REPORT, [{ ...EQUIVALENT[0]!, line: 15 }], RUNS);
    expect(moved.total.equivalent).toBe(0);
    expect(summarize(REPORT, [{ ...EQUIVALENT[0]!, replacement: '"x"' }], RUNS).total.equivalent).toBe(0);
    expect(summarize(REPORT, [{ ...EQUIVALENT[0]!, mutator: 'ObjectLiteral' }], RUNS).total.equivalent).toBe(0);
  });

  test('where one key names several mutants, an explanation with `original` explains only the one replacing that text', () => {
    // Two `false` conditions on line 3 of one file: `a !== 1` (equivalent, say) and `b < 0` (not).
    const source = 'x\ny\nif (a !== 1 || b < 0) return;\n';
    const cond = (start: number, end: number, status: ReportMutant['status']) =>
      mutant(3, status, { mutatorName: 'ConditionalExpression', replacement: 'false', location: { start: { line: 3, column: start }, end: { line: 3, column: end } } });
    const report: MutationReport = { files: { 'lib/edge/c.ts': { source, mutants: [cond(5, 12, 'Survived'), cond(16, 21, 'Survived')] } } };
    const entry = { file: 'lib/edge/c.ts', line: 3, mutator: 'ConditionalExpression', replacement: 'false', reason: 'r' };
    expect(originalText(source, report.files['lib/edge/c.ts']!.mutants[0]!.location)).toBe('a !== 1');
    const withOriginal = summarize(report, [{ ...entry, original: 'a !== 1' }], RUNS);
    expect(withOriginal.total.equivalent).toBe(1);
    expect(withOriginal.open.map((m) => [m.line, m.status])).toEqual([[3, 'Survived']]);
    expect(summarize(report, [{ ...entry, original: 'c' }], RUNS)).toMatchObject({ total: { equivalent: 0 }, stale: [{ ...entry, original: 'c' }] });
    expect(summarize(report, [entry], RUNS).total.equivalent).toBe(2); // without `original`: every mutant of the key
  });

  test('an explanation with its text follows its mutant when code above it moved, only to a single mutant no other explanation names', () => {
    // The guard was on line 8 when explained; two lines above it were removed since.
    const source = 'a\nb\nc\nd\nif (names.length === 0) throw x;\nif (other.length === 0) y();\nif (other.length === 0) z();\n';
    const cond = (line: number, start: number, end: number, status: ReportMutant['status'] = 'Survived') =>
      mutant(line, status, { mutatorName: 'ConditionalExpression', replacement: 'false', location: { start: { line, column: start }, end: { line, column: end } } });
    const file = 'lib/edge/m.ts';
    const report: MutationReport = { files: { [file]: { source, mutants: [cond(5, 5, 23), cond(6, 5, 23), cond(7, 5, 23)] } } };
    const entry = (line: number, original?: string): EquivalentEntry => ({ file, line, mutator: 'ConditionalExpression', replacement: 'false', ...(original ? { original } : {}), reason: `r${line}` });
    const moved = summarize(report, [entry(8, 'names.length === 0')], RUNS);
    expect([moved.total.equivalent, moved.equivalents.map((m) => [m.line, m.reason]), moved.stale]).toEqual([1, [[5, 'r8']], []]);
    // Two mutants with the same text left: the reason could belong to either, so it follows none (listed as stale).
    const twice = summarize(report, [entry(9, 'other.length === 0')], RUNS);
    expect([twice.total.equivalent, twice.stale.map((e) => e.line)]).toEqual([0, [9]]);
    // One of them named by its own explanation: the moved one takes the other.
    const rest = summarize(report, [entry(6, 'other.length === 0'), entry(9, 'other.length === 0')], RUNS);
    expect(rest.equivalents.map((m) => [m.line, m.reason])).toEqual([
      [6, 'r6'],
      [7, 'r9'],
    ]);
    // Two entries of one line and text explain one mutant each, none left as stale.
    const pair: MutationReport = { files: { [file]: { source, mutants: [cond(6, 5, 23), cond(6, 5, 23)] } } };
    const both = summarize(pair, [{ ...entry(6, 'other.length === 0'), reason: 'first' }, { ...entry(6, 'other.length === 0'), reason: 'second' }], RUNS);
    expect([both.equivalents.map((m) => m.reason), both.stale]).toEqual([['first', 'second'], []]);
    // Without the text it replaces, an explanation stays on its line.
    expect(summarize(report, [entry(8)], RUNS).total.equivalent).toBe(0);
    // A mutant that tests now kill is not explained, wherever the explanation points.
    const killed: MutationReport = { files: { [file]: { source, mutants: [cond(5, 5, 23, 'Killed')] } } };
    expect(summarize(killed, [entry(8, 'names.length === 0')], RUNS).total.equivalent).toBe(0);
  });

  test('the original text of a mutant over several lines', () => {
    expect(originalText('ab\ncdef\ngh\nij', { start: { line: 1, column: 2 }, end: { line: 3, column: 2 } })).toBe('b\ncdef\ng');
  });
});

test('folders: a lambda per function, lib folders by control folder (subfolders included)', () => {
  expect(folderOf('lambda/rotate-secret/index.ts')).toBe('lambda/rotate-secret');
  expect(folderOf('lib/audit/compliance-controls.ts')).toBe('lib/audit');
  expect(folderOf('lib/gate/iam-reference/check.ts')).toBe('lib/gate');
});

test('scores are rounded down to one decimal, never up to a goal', () => {
  expect(formatScore(0.9499)).toBe('94.9 %');
  expect(formatScore(1)).toBe('100.0 %');
  expect(formatScore(5 / 9)).toBe('55.5 %');
  expect(formatScore(undefined)).toBe('n/a');
});

test('the markdown has the folder table, the total, the not-run folders, the open mutants and the explanations', () => {
  const md = formatMarkdown(summarize(REPORT, EQUIVALENT, RUNS));
  expect(md).toContain('| lib/edge | 1 | 7 | 3 | 2 | 1 | 1 | 0 | 1 | 50.0 % | 2 | 0 | 2026-12-05 | abc1234 |');
  expect(md).toContain('| **all folders run** | **3** | **10** | **5** | **2** | **1** | **1** | **1** | **1** | **55.5 %** | **2** | **1** |');
  expect(md).toContain('Not run yet: lib/alarms, lib/audit, lib/compliance, lib/config, lib/host, lib/keys, lib/network, lib/openclaw, lib/secrets, lib/shared, lib/spend, host.');
  expect(md).toContain('## Mutants not killed (4)');
  expect(md).toContain('## Files run (3)');
  expect(md).toContain('| lib/edge/a.ts | 7 | 3 | 1 | test/app/a.test.ts |');
  expect(md).toContain('| lib/gate/b.ts | 2 | 1 | 0 |  |');
  expect(md).toContain('| lib/edge/a.ts:13 | Survived | BooleanLiteral | `false` |');
  expect(md).toContain('| lib/edge/a.ts:14 | StringLiteral | `""` | the name is only a label |');
  expect(md).toContain('## Stale explanations (2)');
});

test('each folder row says how many of the folder\'s files with code were run, and the files not run are named, so a score over a few files does not read as the folder\'s', () => {
  const files = (folder: string, n: number) => Array.from({ length: n }, (_, i) => `${folder}/f${i}.ts`);
  const filesIn = (folder: string): FolderFiles | undefined =>
    ({
      'lib/edge': { withCode: ['lib/edge/a.ts', ...files('lib/edge', 2)], typesOnly: ['lib/edge/types.ts'] },
      'lib/gate': { withCode: ['lib/gate/b.ts'], typesOnly: [] },
      'lambda/kill-switch': { withCode: files('lambda/kill-switch', 1), typesOnly: ['lambda/kill-switch/summary.ts'] },
    })[folder];
  const summary = summarize(REPORT, EQUIVALENT, RUNS, filesIn);
  expect(summary.rows.map((r) => [r.folder, r.filesRun, r.filesInFolder])).toEqual([
    ['lambda/kill-switch', 1, 1],
    ['lib/edge', 1, 3],
    ['lib/gate', 1, 1],
  ]);
  expect(summary.total.filesInFolder).toBe(5);
  expect(summary.filesNotRun).toEqual(['lambda/kill-switch/f0.ts', 'lib/edge/f0.ts', 'lib/edge/f1.ts']);
  expect(summary.typesOnly).toEqual(['lambda/kill-switch/summary.ts', 'lib/edge/types.ts']);
  const md = formatMarkdown(summary);
  expect(md).toContain('| lib/edge | 1 of 3 | 7 |');
  expect(md).toContain('| **all folders run** | **3 of 5** | **10** |');
  expect(md).toContain('Files with code not run yet: lambda/kill-switch/f0.ts, lib/edge/f0.ts, lib/edge/f1.ts.');
  expect(md).toContain('Files with types only (the TypeScript compiler emits no code for them: nothing to mutate, not counted): lambda/kill-switch/summary.ts, lib/edge/types.ts.');
  expect(folderOf('host/fetch-secrets/fetch.ts')).toBe('host/fetch-secrets');
});

test('a file of interfaces and type imports emits no code; a constant, a function, an enum or a re-export does', () => {
  expect(emitsCode("import type { A } from './a';\nimport { type B } from './b';\n/** doc */\nexport interface C { readonly a: A; readonly b: B }\nexport type D = C | undefined;\n")).toBe(false);
  expect(emitsCode('')).toBe(false);
  expect(emitsCode("export const PATHS = { user: 'openclaw' } as const;\n")).toBe(true);
  expect(emitsCode('export function f(): number { return 1; }\n')).toBe(true);
  expect(emitsCode('export enum E { A }\n')).toBe(true);
  expect(emitsCode("export { f } from './f';\n")).toBe(true);
  expect(emitsCode("import './side-effect';\n")).toBe(true);
});

describe('mergeReports', () => {
  const acc: MutationReport = {
    files: {
      'lib/a.ts': { mutants: [mutant(1, 'Killed', { coveredBy: ['0', '1'], killedBy: ['1'] })] },
      'lib/b.ts': { mutants: [mutant(1, 'Survived', { coveredBy: ['0'] })] },
    },
    testFiles: { 'test/a.test.ts': { tests: [{ id: '0', name: 'a one' }, { id: '1', name: 'a two' }] } },
  };
  const run: MutationReport = {
    files: { 'lib/b.ts': { mutants: [mutant(1, 'Killed', { coveredBy: ['0', '1'], killedBy: ['0'] })] } },
    testFiles: { 'test/b.test.ts': { tests: [{ id: '0', name: 'b one' }] }, 'test/a.test.ts': { tests: [{ id: '1', name: 'a two' }] } },
  };
  const merged = mergeReports(acc, run);

  test('the run replaces the files it covers and keeps the others', () => {
    expect(Object.keys(merged.files)).toEqual(['lib/a.ts', 'lib/b.ts']);
    expect(merged.files['lib/b.ts']!.mutants[0]!.status).toBe('Killed');
    expect(merged.files['lib/a.ts']!.mutants[0]!.status).toBe('Killed');
  });

  test('test ids are renumbered across both reports; references to tests that are gone are dropped', () => {
    expect(merged.testFiles).toEqual({
      'test/a.test.ts': { tests: [{ id: '0', name: 'a two' }] },
      'test/b.test.ts': { tests: [{ id: '1', name: 'b one' }] },
    });
    // 'a one' no longer exists in the run's version of test/a.test.ts.
    expect(merged.files['lib/a.ts']!.mutants[0]).toMatchObject({ coveredBy: ['0'], killedBy: ['0'] });
    expect(merged.files['lib/b.ts']!.mutants[0]).toMatchObject({ coveredBy: ['1', '0'], killedBy: ['1'] });
  });
});

test('writeReport merges a run into the committed files and writes the markdown', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-mutation-report-'));
  fs.mkdirSync(path.join(root, 'reports/mutation'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs'));
  fs.writeFileSync(path.join(root, PATHS.equivalents), JSON.stringify(EQUIVALENT));
  fs.mkdirSync(path.join(root, 'lib/edge'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib/edge/a.ts'), 'export const a = 1;\n');
  const absolute: MutationReport = { files: { [path.join(root, 'lib/edge/a.ts')]: REPORT.files['lib/edge/a.ts']! } };
  const summary = writeReport(root, { report: absolute, date: '2026-12-05', commit: 'abc1234', tests: 'test/app/a.test.ts' });
  expect(summary.total).toMatchObject({ mutants: 7, killed: 3, equivalent: 1 });
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, PATHS.accumulated), 'utf8')).files)).toEqual(['lib/edge/a.ts']);
  expect(JSON.parse(fs.readFileSync(path.join(root, PATHS.runs), 'utf8'))).toEqual(RUNS);
  expect(fs.readFileSync(path.join(root, PATHS.markdown), 'utf8')).toContain('| lib/edge | 1 of 1 | 7 | 3 |');
  fs.rmSync(root, { recursive: true, force: true });
});

test('writeReport drops the results of a file deleted since its run (moved or merged away), from the score and the committed files', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-mutation-report-'));
  fs.mkdirSync(path.join(root, 'reports/mutation'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs'));
  fs.mkdirSync(path.join(root, 'lib/gate'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib/gate/b.ts'), 'export const b = 1;\n');
  // lib/edge/a.ts was run, then deleted; lib/gate/b.ts is still there.
  const recorded: MutationReport = { files: { 'lib/edge/a.ts': REPORT.files['lib/edge/a.ts']!, 'lib/gate/b.ts': REPORT.files['lib/gate/b.ts']! } };
  fs.writeFileSync(path.join(root, PATHS.accumulated), JSON.stringify(recorded));
  fs.writeFileSync(path.join(root, PATHS.runs), JSON.stringify({ files: { ...RUNS.files, 'lib/gate/b.ts': RUNS.files['lib/edge/a.ts'] } }));
  const summary = writeReport(root);
  expect(summary.rows.map((r) => r.folder)).toEqual(['lib/gate']);
  expect(summary.total).toMatchObject({ mutants: 2, killed: 1 });
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, PATHS.accumulated), 'utf8')).files)).toEqual(['lib/gate/b.ts']);
  expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, PATHS.runs), 'utf8')).files)).toEqual(['lib/gate/b.ts']);
  expect(fs.readFileSync(path.join(root, PATHS.markdown), 'utf8')).not.toContain('lib/edge/a.ts');
  fs.rmSync(root, { recursive: true, force: true });
});

test("mutate patterns: a folder's files, one file, exclusions", () => {
  const patterns = ['lib/edge/**/*.ts', 'lambda/kill-switch/index.ts', '!**/*.d.ts'];
  expect(matchesPatterns('lib/edge/gateway-web-acl.ts', patterns)).toBe(true);
  expect(matchesPatterns('lib/edge/sub/x.ts', patterns)).toBe(true);
  expect(matchesPatterns('lib/edge/x.d.ts', patterns)).toBe(false);
  expect(matchesPatterns('lib/gate/evaluate.ts', patterns)).toBe(false);
  expect(matchesPatterns('lambda/kill-switch/index.ts', patterns)).toBe(true);
  expect(matchesPatterns('lambda/kill-switch/indexXts', patterns)).toBe(false);
});

test('writeReport merges and logs only the files the run mutated, not those Stryker carried over from its incremental input', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-mutation-report-'));
  fs.mkdirSync(path.join(root, 'reports/mutation'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs'));
  for (const f of Object.keys(REPORT.files)) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), 'export const x = 1;\n');
  }
  writeReport(root, { report: REPORT, date: '2026-12-04', commit: 'old', tests: 'all' });
  writeReport(root, { report: REPORT, date: '2026-12-05', commit: 'new', tests: 'b', mutated: (f) => f === 'lib/gate/b.ts' });
  const runs = JSON.parse(fs.readFileSync(path.join(root, PATHS.runs), 'utf8')).files;
  expect(runs['lib/gate/b.ts']).toEqual({ date: '2026-12-05', commit: 'new', tests: 'b' });
  expect(runs['lib/edge/a.ts']).toEqual({ date: '2026-12-04', commit: 'old', tests: 'all' });
  fs.rmSync(root, { recursive: true, force: true });
});

test('a file with code that the run mutated but in which Stryker found no mutant counts as run, with 0 mutants; a file of types only does not', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-mutation-report-'));
  fs.mkdirSync(path.join(root, 'reports/mutation'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs'));
  fs.mkdirSync(path.join(root, 'lib/host'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib/host/paths.ts'), "export const PATHS = { user: 'openclaw' } as const;\n");
  fs.writeFileSync(path.join(root, 'lib/host/types.ts'), 'export interface T { readonly a: string }\n');
  fs.writeFileSync(path.join(root, 'lib/host/other.ts'), 'export const x = 1;\n');
  const summary = writeReport(root, { report: { files: {} }, date: '2026-12-05', commit: 'abc1234', tests: 'test/host/paths.test.ts', mutated: (f) => f !== 'lib/host/other.ts' });
  // With its source: Stryker's next incremental run reads the source of every file of the report.
  expect(JSON.parse(fs.readFileSync(path.join(root, PATHS.accumulated), 'utf8')).files).toEqual({
    'lib/host/paths.ts': { language: 'typescript', source: "export const PATHS = { user: 'openclaw' } as const;\n", mutants: [] },
  });
  expect(summary.files).toEqual([{ file: 'lib/host/paths.ts', mutants: 0, killed: 0, equivalent: 0, tests: 'test/host/paths.test.ts' }]);
  expect(summary.rows.map((r) => [r.folder, r.filesRun, r.filesInFolder])).toEqual([['lib/host', 1, 2]]);
  expect(summary.filesNotRun).toEqual(['lib/host/other.ts']);
  expect(summary.typesOnly).toEqual(['lib/host/types.ts']);
  fs.rmSync(root, { recursive: true, force: true });
});

const ROOT = path.resolve(__dirname, '../..');

test("the mutation run's jest finds a test that reaches the mutated file through another module (findRelatedTests sees lib/, lambda/ and host/)", () => {
  // catalogue.test.ts imports lib/compliance/catalogue.ts, which imports controls/ec2.ts.
  // With a module graph holding only test/, jest did not count it as related to ec2.ts, so
  // Stryker never ran it against ec2.ts mutants and they survived.
  const related = (file: string, tests: string) =>
    execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--config', 'jest.mutate.config.js', '--findRelatedTests', file, '--listTests'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, MUTATE_TESTS: tests },
    })
      .split('\n')
      .filter(Boolean)
      .map((f) => path.relative(ROOT, f))
      .sort();
  expect(related('lib/host/compliance-controls.ts', 'test/compliance/catalogue.test.ts,test/spend/spend-config.test.ts')).toEqual(['test/compliance/catalogue.test.ts']);
  expect(related('host/fetch-secrets/write.ts', 'test/host-runtime/fetch-secrets-in-process.test.ts,test/compliance/catalogue.test.ts')).toEqual([
    'test/host-runtime/fetch-secrets-in-process.test.ts',
  ]);
});

test('a file whose source changed since its run is named, so results of code that has moved are not read as current', () => {
  const report: MutationReport = {
    files: {
      'lib/edge/a.ts': { source: 'export const a = 1;\n', mutants: [mutant(1, 'Killed')] },
      'lib/edge/b.ts': { source: 'export const b = 2;\n', mutants: [mutant(1, 'Survived')] },
      'lib/gate/c.ts': { mutants: [mutant(1, 'Killed')] },
      'lib/gate/d.ts': { source: 'export const d = 4;\n', mutants: [mutant(1, 'Killed')] },
    },
  };
  // a.ts unchanged, b.ts edited, c.ts has no recorded source, d.ts unreadable now.
  const now: Record<string, string> = { 'lib/edge/a.ts': 'export const a = 1;\n', 'lib/edge/b.ts': 'export const b = 3;\n', 'lib/gate/c.ts': 'x' };
  const summary = summarize(report, [], RUNS, undefined, (f) => now[f]);
  expect(summary.changedSinceRun).toEqual(['lib/edge/b.ts']);
  expect(formatMarkdown(summary)).toContain(
    'Files changed since their run (their rows and mutants are of the code as it was run; `npm run mutate -- <file>` refreshes them): lib/edge/b.ts.',
  );
  expect(summarize(report, [], RUNS).changedSinceRun).toEqual([]);
  expect(formatMarkdown(summarize(report, [], RUNS))).toContain('refreshes them): none.');
});

test('a program folder under host/ or lambda/ that was never run is named, with its files, though its siblings have rows', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-mutation-report-'));
  fs.mkdirSync(path.join(root, 'reports/mutation'), { recursive: true });
  fs.mkdirSync(path.join(root, 'docs'));
  for (const d of ['host/run-one', 'host/new-one', 'host/types-only', 'lambda/fn']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'host/run-one/a.ts'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(root, 'host/new-one/b.ts'), 'export const b = 2;\n');
  fs.writeFileSync(path.join(root, 'host/types-only/t.ts'), 'export interface T { readonly a: string }\n');
  fs.writeFileSync(path.join(root, 'lambda/fn/c.ts'), 'export const c = 3;\n');
  expect(controlFoldersOnDisk(root)).toEqual(['lambda/fn', 'host/new-one', 'host/run-one']);
  const summary = writeReport(root, { report: { files: {} }, date: '2026-12-07', commit: 'abc1234', tests: 'test/x.test.ts', mutated: (f) => f === 'host/run-one/a.ts' });
  expect(summary.rows.map((r) => r.folder)).toEqual(['host/run-one']);
  expect(summary.notRun).toEqual(['lambda/fn', 'host/new-one']);
  expect(summary.filesNotRun).toEqual(['host/new-one/b.ts', 'lambda/fn/c.ts']);
  expect(fs.readFileSync(path.join(root, PATHS.markdown), 'utf8')).toContain('Not run yet: lambda/fn, host/new-one.');
  fs.rmSync(root, { recursive: true, force: true });
});
