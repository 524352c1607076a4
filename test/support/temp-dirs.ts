import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * A maker of temporary folders that a test file's afterAll removes (mutation
 * testing runs a test file many times; the folders must not pile up). Call it
 * once at module level: `const tempDir = tempDirsRemovedAfterAll();`.
 */
export function tempDirsRemovedAfterAll(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
