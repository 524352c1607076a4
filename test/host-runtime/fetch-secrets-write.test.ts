import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { GATEWAY_FILE_MODE, isUpToDate, ORIGIN_MAP_MODE, planFiles, writeFiles, type PlannedFile } from '../../host/fetch-secrets/write';

// Focused, in-process checks of host/fetch-secrets/write.ts: the plan (owner
// and mode per kind), the up-to-date check (every attribute compared), and the
// atomic write (content, mode, owner, no temp file left behind).

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-write-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const secret = (kind: 'text' | 'origin-verify', file: string): ManifestSecret =>
  ({ kind, id: 'x', secretId: 'x', region: 'eu-west-1', file }) as ManifestSecret;
const self = () => ({ uid: process.getuid!(), gid: process.getgid!() });

test('planFiles: text/json to the given owner 0400, origin-verify to the running user 0600', () => {
  const t = secret('text', '/run/a');
  const o = secret('origin-verify', '/run/b');
  expect(planFiles([{ secret: t, content: 'A' } as never, { secret: o, content: 'B' } as never], { uid: 4242, gid: 4343 })).toEqual([
    { secret: t, path: '/run/a', content: 'A', uid: 4242, gid: 4343, mode: GATEWAY_FILE_MODE },
    { secret: o, path: '/run/b', content: 'B', ...self(), mode: ORIGIN_MAP_MODE },
  ]);
  expect([GATEWAY_FILE_MODE, ORIGIN_MAP_MODE]).toEqual([0o400, 0o600]);
});

test('writeFiles: content (UTF-8), mode and owner as planned, one link, no temp file left', () => {
  const f: PlannedFile = { secret: secret('text', path.join(dir, 'tok')), path: path.join(dir, 'tok'), content: 'é-secret', ...self(), mode: 0o400 };
  writeFiles([f]);
  expect(fs.readFileSync(f.path)).toEqual(Buffer.from('é-secret', 'utf8'));
  const st = fs.lstatSync(f.path);
  expect([st.mode & 0o7777, st.uid, st.gid, st.nlink]).toEqual([0o400, f.uid, f.gid, 1]);
  expect(fs.readdirSync(dir)).toEqual(['tok']);
  expect(isUpToDate(f)).toBe(true);
});

test('isUpToDate: false when owner uid, gid, mode or content differ, or the file is missing', () => {
  const f: PlannedFile = { secret: secret('text', path.join(dir, 'tok')), path: path.join(dir, 'tok'), content: 'v', ...self(), mode: 0o400 };
  writeFiles([f]);
  expect(isUpToDate(f)).toBe(true);
  expect(isUpToDate({ ...f, uid: f.uid + 1 })).toBe(false);
  expect(isUpToDate({ ...f, gid: f.gid + 1 })).toBe(false);
  expect(isUpToDate({ ...f, mode: 0o600 })).toBe(false);
  expect(isUpToDate({ ...f, content: 'w' })).toBe(false);
  expect(isUpToDate({ ...f, path: path.join(dir, 'absent') })).toBe(false);
});

test('writeFiles: a failed staging names the target and errno, and leaves no temp file', () => {
  const ok: PlannedFile = { secret: secret('text', path.join(dir, 'a')), path: path.join(dir, 'a'), content: 'a', ...self(), mode: 0o400 };
  const missing = path.join(dir, 'no-such-folder', 'b');
  const bad: PlannedFile = { ...ok, path: missing };
  expect(() => writeFiles([ok, bad])).toThrow(
    new Error(
      `WriteFailed: ${missing}: cannot write it (ENOENT on open); check that its folder exists and that root can write there (the secrets folder comes from tmpfiles.d, the nginx include folder from the bundle) and that the file system is not full or read-only`,
    ),
  );
  expect(fs.readdirSync(dir)).toEqual([]);
});
