import * as fs from 'fs';
import * as path from 'path';

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/**
 * Absolute path of an executable, looked up in PATH and the sbin folders
 * (which a non-root PATH often lacks). Throws with `hint`, so that a test
 * that needs the real tool fails rather than skips.
 */
export function findTool(name: string, hint: string): string {
  for (const dir of [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN]) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error(`${name} not found (looked in PATH and ${SBIN.join(', ')}); the tests run it for real: ${hint}`);
}

/** Temporary folders made by a test file, removed after it. */
export function scratchDirs(make: (prefix: string) => string): { scratch: (prefix: string) => string; cleanup: () => void } {
  const dirs: string[] = [];
  return {
    scratch: (prefix) => {
      const d = make(prefix);
      dirs.push(d);
      return d;
    },
    cleanup: () => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })),
  };
}
