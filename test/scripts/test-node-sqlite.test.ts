import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hasNodeSqlite, sqliteTestFiles } from '../../scripts/test-node-sqlite';

// `npm run test:node-sqlite` (part of `npm test`): the test files that need node:sqlite
// run again with a Node that has it, so their database tests never stay skipped in CI.

test('node:sqlite exists from Node 22.5 on', () => {
  expect(['v20.20.2', 'v22.4.1', '22.5.0', 'v22.12.0', 'v24.21.0', 'v25.0.0'].map(hasNodeSqlite)).toEqual([false, false, true, true, true, true]);
});

test('the files are found by their use of node:sqlite, in every folder, and only .test.ts files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-node-sqlite-'));
  try {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    // Built from two pieces so that this file does not itself carry the marker (and is not rerun).
    const uses = 'const sqlite = process.getBuiltinModule?.(' + "'node:sqlite');\n";
    fs.writeFileSync(path.join(dir, 'a', 'b', 'deep.test.ts'), uses);
    fs.writeFileSync(path.join(dir, 'top.test.ts'), uses);
    fs.writeFileSync(path.join(dir, 'plain.test.ts'), "import * as fs from 'fs';\n");
    fs.writeFileSync(path.join(dir, 'a', 'helper.ts'), uses);
    const root = path.resolve(__dirname, '../..');
    expect(sqliteTestFiles(dir).map((f) => path.relative(path.relative(root, dir), f))).toEqual([path.join('a', 'b', 'deep.test.ts'), 'top.test.ts']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("this repository's node:sqlite test files are the spend meter's run and store tests and the audit export's, and not this file", () => {
  expect(sqliteTestFiles()).toEqual([
    'test/host-runtime/agent-audit-denials.test.ts',
    'test/host-runtime/agent-audit-sqlite.test.ts',
    'test/host-runtime/spend-meter-run.test.ts',
    'test/host-runtime/spend-meter-store.test.ts',
    'test/openclaw/audit-export-program.test.ts',
  ]);
});
