/**
 * `npm run test:node-sqlite`: the test files that need node:sqlite (Node >= 22.5), run with
 * a Node that has it. Part of `npm test`.
 *
 * The host's spend meter reads OpenClaw's SQLite databases with node:sqlite (the host runs
 * the pinned Node 24). Those files skip their database tests when jest's own Node has no
 * node:sqlite (Node 20, the project's Node today), so this runs them again with this Node
 * if it is new enough, else $TEST_NODE, else the Node 24 of the OpenClaw cache
 * (.cache/openclaw, installed by .ci/install-openclaw.sh for the host tests). It fails,
 * never skips, when no such Node is there. The files are found by what they use
 * (`getBuiltinModule?.('node:sqlite')`), so a new one is included without a list to keep.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const MARKER = "getBuiltinModule?.('node:sqlite')";

/** Whether a Node version (`v24.1.0`) has node:sqlite (22.5 and later). */
export function hasNodeSqlite(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 5);
}

/** This Node if it has node:sqlite, else $TEST_NODE, else the OpenClaw cache's Node; or undefined. */
export function nodeWithSqlite(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (hasNodeSqlite(process.version)) return process.execPath;
  for (const c of [env.TEST_NODE, path.join(ROOT, '.cache/openclaw/node_modules/node/bin/node')]) {
    if (!c) continue;
    try {
      if (hasNodeSqlite(execFileSync(c, ['--version'], { encoding: 'utf8' }).trim())) return c;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** The test files (relative to the repository) that use node:sqlite. */
export function sqliteTestFiles(dir = path.join(ROOT, 'test')): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sqliteTestFiles(p));
    else if (e.name.endsWith('.test.ts') && fs.readFileSync(p, 'utf8').includes(MARKER)) out.push(path.relative(ROOT, p));
  }
  return out.sort();
}

function main(): void {
  const node = nodeWithSqlite();
  if (!node) {
    console.error(
      `test:node-sqlite: no Node >= 22.5 (with node:sqlite) found: this is ${process.version}, TEST_NODE is ${process.env.TEST_NODE ?? 'unset'}, ` +
        'and .cache/openclaw has none (run bash .ci/install-openclaw.sh)',
    );
    process.exit(1);
  }
  const files = sqliteTestFiles();
  console.log(`test:node-sqlite: ${files.join(' ')} with ${node}`);
  const res = spawnSync(node, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), '--ci', ...files], { cwd: ROOT, stdio: 'inherit' });
  process.exit(res.status ?? 1);
}

if (require.main === module) main();
