import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../host/spend-meter/atomic-file';
import { recordDurableWrites } from './support/durable-writes';
import { tempDir } from './support/runtime-tools';

// How the spend meter writes its state and the breaker's markers (host/spend-meter/atomic-file.ts).

let dir: string;
beforeEach(() => {
  dir = tempDir('atomic-file-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the text, mode 0600 by default (or the mode given), replacing what was there, nothing else left in the folder', () => {
  const file = path.join(dir, 'state.json');
  fs.writeFileSync(file, 'old', { mode: 0o644 });
  writeFileAtomic(file, '{"a":1}\n');
  expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}\n');
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(dir)).toEqual(['state.json']);
  writeFileAtomic(path.join(dir, 'other'), 'x', 0o640);
  expect(fs.statSync(path.join(dir, 'other')).mode & 0o777).toBe(0o640);
});

test('durable: the content fsynced before the rename, the folder after it', () => {
  const order = recordDurableWrites(() => writeFileAtomic(path.join(dir, 'm'), 'x'));
  const tmp = `.m.${process.pid}.tmp`;
  expect(order).toEqual([`fsync ${path.join(dir, tmp)}`, `rename ${tmp} m`, `fsync ${dir}`]);
});

test('a rename that fails (a folder in the way) throws and leaves no temporary file; the folder in the way is untouched', () => {
  const target = path.join(dir, 'taken');
  fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
  expect(() => writeFileAtomic(target, 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
  expect(fs.readdirSync(dir)).toEqual(['taken']);
  expect(fs.readdirSync(target)).toEqual(['inside']);
});

test('a folder that does not exist: ENOENT, nothing created', () => {
  expect(() => writeFileAtomic(path.join(dir, 'missing', 'f'), 'x')).toThrow(/ENOENT/);
  expect(fs.readdirSync(dir)).toEqual([]);
});

/** Runs `run` and returns the descriptors its openSync calls opened that no closeSync closed (both done for real). */
function leakedDescriptors(run: () => void): number[] {
  const nodeFs = jest.requireActual<typeof fs>('fs');
  const realOpen = nodeFs.openSync;
  const realClose = nodeFs.closeSync;
  const open = new Set<number>();
  const opened = jest.spyOn(nodeFs, 'openSync').mockImplementation(((...args: Parameters<typeof fs.openSync>) => {
    const fd = realOpen(...args);
    open.add(fd);
    return fd;
  }) as typeof fs.openSync);
  const closed = jest.spyOn(nodeFs, 'closeSync').mockImplementation(((fd: number) => {
    open.delete(fd);
    realClose(fd);
  }) as typeof fs.closeSync);
  try {
    run();
  } finally {
    opened.mockRestore();
    closed.mockRestore();
  }
  return [...open];
}

test('every descriptor it opens (the temporary file, the folder) is closed: after a write, and after a failed rename', () => {
  expect(leakedDescriptors(() => writeFileAtomic(path.join(dir, 'm'), 'x'))).toEqual([]);
  const target = path.join(dir, 'taken');
  fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
  expect(leakedDescriptors(() => expect(() => writeFileAtomic(target, 'x')).toThrow(/EISDIR|ENOTEMPTY|EEXIST/))).toEqual([]);
});

test('a failed rename throws its own error even when the temporary file is already gone', () => {
  const nodeFs = jest.requireActual<typeof fs>('fs');
  const rename = jest.spyOn(nodeFs, 'renameSync').mockImplementation(((from: fs.PathLike) => {
    nodeFs.unlinkSync(from);
    throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
  }) as typeof fs.renameSync);
  try {
    expect(() => writeFileAtomic(path.join(dir, 'm'), 'x')).toThrow(new Error('EXDEV: cross-device link not permitted'));
  } finally {
    rename.mockRestore();
  }
  expect(fs.readdirSync(dir)).toEqual([]);
});
