import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ManifestSecret } from '../../lib/secrets/secrets-manifest';
import { GATEWAY_DIR_MODE, GATEWAY_FILE_MODE, isUpToDate, ORIGIN_MAP_MODE, planFiles, prepareFolders, writeFiles, type PlannedFile } from '../../host/fetch-secrets/write';
import { PASSWD_FILE, resolveUsers } from '../../host/fetch-secrets/users';

// Focused, in-process checks of host/fetch-secrets/write.ts: the plan (owner
// and mode per kind), the up-to-date check (every attribute compared), and the
// atomic write (content, mode, owner, no temp file left behind).

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-write-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const secret = (kind: 'text' | 'origin-verify', file: string, user = 'openclaw-a'): ManifestSecret =>
  ({ kind, id: 'x', secretId: 'x', region: 'eu-west-1', file, ...(kind === 'text' ? { user, unit: `openclaw-gateway@${user.slice(9)}.service` } : {}) }) as ManifestSecret;
const OWNERS = new Map([
  ['openclaw-a', { uid: 4242, gid: 4343 }],
  ['openclaw-b', { uid: 5252, gid: 5353 }],
]);
const self = () => ({ uid: process.getuid!(), gid: process.getgid!() });

test("planFiles: each text/json file to its own gateway user 0400, origin-verify to the running user 0600", () => {
  const t = secret('text', '/run/a/t');
  const u = secret('text', '/run/b/t', 'openclaw-b');
  const o = secret('origin-verify', '/run/b');
  expect(planFiles([{ secret: t, content: 'A' } as never, { secret: u, content: 'U' } as never, { secret: o, content: 'B' } as never], OWNERS)).toEqual([
    { secret: t, path: '/run/a/t', content: 'A', uid: 4242, gid: 4343, mode: GATEWAY_FILE_MODE },
    { secret: u, path: '/run/b/t', content: 'U', uid: 5252, gid: 5353, mode: GATEWAY_FILE_MODE },
    { secret: o, path: '/run/b', content: 'B', ...self(), mode: ORIGIN_MAP_MODE },
  ]);
  expect([GATEWAY_FILE_MODE, ORIGIN_MAP_MODE, GATEWAY_DIR_MODE]).toEqual([0o400, 0o600, 0o700]);
  // A user that was not resolved is never guessed.
  expect(() => planFiles([{ secret: secret('text', '/run/c/t', 'openclaw-c'), content: 'C' } as never], OWNERS)).toThrow(
    new Error('NoGatewayUser: user openclaw-c: no uid resolved for the owner of /run/c/t'),
  );
});

describe('resolveUsers: the gateway users from the passwd file', () => {
  const passwd = () => {
    const f = path.join(dir, 'passwd');
    fs.writeFileSync(f, 'root:x:0:0:root:/root:/bin/bash\nopenclaw-a:x:990:985::/:/sbin/nologin\nopenclaw-b:x:991:986::/:/sbin/nologin\nopenclaw-a:x:1:1::/:/x\nbroken-line\n');
    return f;
  };

  test('uid and primary gid of each user; the first entry wins, as getpwnam', () => {
    expect([...resolveUsers(['openclaw-b', 'openclaw-a'], passwd())]).toEqual([
      ['openclaw-b', { uid: 991, gid: 986 }],
      ['openclaw-a', { uid: 990, gid: 985 }],
    ]);
    expect(PASSWD_FILE).toBe('/etc/passwd');
  });

  test('a malformed entry never gives a user an owner: no name, a uid or gid that is not all digits', () => {
    const f = path.join(dir, 'passwd-odd');
    fs.writeFileSync(
      f,
      [':x:900:900::/:/x', 'openclaw-u:x:9a:901::/:/x', 'openclaw-v:x:a9:902::/:/x', 'openclaw-w:x:903:9a::/:/x', 'openclaw-x:x:904:a9::/:/x', 'openclaw-y:x:905', 'openclaw-u:x:906:906::/:/x', ''].join('\n'),
    );
    for (const user of ['openclaw-v', 'openclaw-w', 'openclaw-x', 'openclaw-y', '']) expect(() => resolveUsers([user], f)).toThrow(`NoGatewayUser: user ${user}: not in ${f}`);
    // The malformed first openclaw-u entry is skipped, not taken as the first: the good one counts.
    expect([...resolveUsers(['openclaw-u'], f)]).toEqual([['openclaw-u', { uid: 906, gid: 906 }]]);
  });

  test('a read error without a code is still NoGatewayUser, naming the file', () => {
    const nodeFs = jest.requireActual<typeof fs>('fs');
    const spy = jest.spyOn(nodeFs, 'readFileSync').mockImplementation((() => {
      throw new Error('odd');
    }) as typeof fs.readFileSync);
    try {
      expect(() => resolveUsers(['openclaw-a'], '/etc/passwd-x')).toThrow(new Error("NoGatewayUser: /etc/passwd-x: cannot read it (error); the gateway users' uids come from it"));
    } finally {
      spy.mockRestore();
    }
  });

  test('a missing user or an unreadable file is NoGatewayUser, naming it', () => {
    expect(() => resolveUsers(['openclaw-a', 'openclaw-c'], passwd())).toThrow(
      new Error(`NoGatewayUser: user openclaw-c: not in ${path.join(dir, 'passwd')}; the gateway users are created by cloud-init (users step) before the secrets step: check that it ran`),
    );
    expect(() => resolveUsers(['openclaw-a'], path.join(dir, 'absent'))).toThrow(
      new Error(`NoGatewayUser: ${path.join(dir, 'absent')}: cannot read it (ENOENT); the gateway users' uids come from it`),
    );
  });
});

describe("prepareFolders: each gateway's folder is a real folder of its user, 0700", () => {
  const planned = (file: string, owner = self()): PlannedFile => ({ secret: secret('text', file), path: file, content: 'x', ...owner, mode: 0o400 });

  test('created when missing, with the owner and 0700', () => {
    const f = planned(path.join(dir, 'gw', 'gateway-token'));
    prepareFolders([f, planned(path.join(dir, 'gw', 'agent-a.json'))]);
    const st = fs.lstatSync(path.join(dir, 'gw'));
    expect([st.isDirectory(), st.mode & 0o7777, st.uid, st.gid]).toEqual([true, 0o700, f.uid, f.gid]);
  });

  test('an existing folder with another mode is reset to 0700', () => {
    fs.mkdirSync(path.join(dir, 'gw'), { mode: 0o755 });
    fs.chmodSync(path.join(dir, 'gw'), 0o755);
    prepareFolders([planned(path.join(dir, 'gw', 'gateway-token'))]);
    expect(fs.lstatSync(path.join(dir, 'gw')).mode & 0o7777).toBe(0o700);
  });

  test('a symlink or a file where the folder belongs is refused (WriteFailed), never followed', () => {
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(dir, 'gw'));
    expect(() => prepareFolders([planned(path.join(dir, 'gw', 'gateway-token'))])).toThrow(/^WriteFailed: .*\/gw: cannot write it \(ELOOP on lstat\)/);
    fs.writeFileSync(path.join(dir, 'gx'), '');
    expect(() => prepareFolders([planned(path.join(dir, 'gx', 'gateway-token'))])).toThrow(/^WriteFailed: .*\/gx: cannot write it \(ENOTDIR on lstat\)/);
  });

  test('the origin-verify map has no folder of its own to prepare', () => {
    const o: PlannedFile = { secret: secret('origin-verify', path.join(dir, 'nginx', 'm.conf')), path: path.join(dir, 'nginx', 'm.conf'), content: 'x', ...self(), mode: 0o600 };
    prepareFolders([o]);
    expect(fs.existsSync(path.join(dir, 'nginx'))).toBe(false);
  });
});

(process.getuid?.() === 0 ? describe : describe.skip)('prepareFolders as root: the owner is set and reset', () => {
  const inGw = (uid: number, gid: number): PlannedFile => ({ secret: secret('text', path.join(dir, 'gw', 't')), path: path.join(dir, 'gw', 't'), content: 'x', uid, gid, mode: 0o400 });
  const owner = () => {
    const st = fs.lstatSync(path.join(dir, 'gw'));
    return [st.uid, st.gid, st.mode & 0o7777];
  };

  test("a folder of another owner is handed to the gateway's user", () => {
    fs.mkdirSync(path.join(dir, 'gw'), { mode: 0o700 });
    prepareFolders([inGw(4242, 4343)]);
    expect(owner()).toEqual([4242, 4343, 0o700]);
  });

  test('only its user differs, or only its group: each is reset', () => {
    fs.mkdirSync(path.join(dir, 'gw'), { mode: 0o700 });
    fs.chownSync(path.join(dir, 'gw'), 0, 4343);
    prepareFolders([inGw(4242, 4343)]);
    expect(owner()).toEqual([4242, 4343, 0o700]);
    fs.chownSync(path.join(dir, 'gw'), 4242, 0);
    prepareFolders([inGw(4242, 4343)]);
    expect(owner()).toEqual([4242, 4343, 0o700]);
  });
});

describe('prepareFolders, observed on the fs module: it changes only what differs, creates 0700, and names an lstat error', () => {
  // The code calls fs.x through the module object, so spies on it see every call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const realFs = require('fs') as typeof fs;
  afterEach(() => jest.restoreAllMocks());
  const planned = (file: string): PlannedFile => ({ secret: secret('text', file), path: file, content: 'x', ...self(), mode: 0o400 });

  test('a folder already of its user and 0700 is left alone: no chown, no chmod', () => {
    fs.mkdirSync(path.join(dir, 'gw'), { mode: 0o700 });
    fs.chmodSync(path.join(dir, 'gw'), 0o700);
    const chown = jest.spyOn(realFs, 'chownSync');
    const chmod = jest.spyOn(realFs, 'chmodSync');
    prepareFolders([planned(path.join(dir, 'gw', 'gateway-token'))]);
    expect([chown.mock.calls, chmod.mock.calls]).toEqual([[], []]);
  });

  test('a missing folder is created 0700 at once (never wider, even for a moment)', () => {
    const mkdir = jest.spyOn(realFs, 'mkdirSync');
    prepareFolders([planned(path.join(dir, 'gw', 'gateway-token'))]);
    expect(mkdir.mock.calls).toEqual([[path.join(dir, 'gw'), { mode: 0o700 }]]);
  });

  test('an lstat error other than "absent" (EACCES) is WriteFailed, naming the folder and the error; nothing is created', () => {
    const lstat = realFs.lstatSync.bind(realFs);
    jest.spyOn(realFs, 'lstatSync').mockImplementation(((p: fs.PathLike, o?: fs.StatSyncOptions) => {
      if (String(p) === path.join(dir, 'gw')) throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES', syscall: 'lstat' });
      return lstat(p, o);
    }) as never);
    const mkdir = jest.spyOn(realFs, 'mkdirSync');
    expect(() => prepareFolders([planned(path.join(dir, 'gw', 'gateway-token'))])).toThrow(/^WriteFailed: .*\/gw: cannot write it \(EACCES on lstat\)/);
    expect(mkdir).not.toHaveBeenCalled();
  });
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

describe('durability (observed on the fs module)', () => {
  // The code calls fs.x through the module object, so spies on it see every call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const realFs = require('fs') as typeof fs;
  afterEach(() => jest.restoreAllMocks());
  const plan = (name: string, content = name): PlannedFile => ({ secret: secret('text', path.join(dir, name)), path: path.join(dir, name), content, ...self(), mode: 0o400 });

  test('order: write (utf8), fsync and close of the temp file before its rename, then one fsync of the folder; nothing to remove once all are renamed', () => {
    const calls: string[] = [];
    const fds = new Map<number, string>();
    const open = realFs.openSync.bind(realFs);
    jest.spyOn(realFs, 'openSync').mockImplementation(((p: fs.PathLike, flags: number, mode?: number) => {
      const fd = open(p, flags, mode);
      fds.set(fd, String(p) === dir ? 'dir' : 'tmp');
      return fd;
    }) as never);
    const write = realFs.writeFileSync.bind(realFs);
    jest.spyOn(realFs, 'writeFileSync').mockImplementation(((fd: number, data: string, enc: BufferEncoding) => {
      calls.push(`write ${fds.get(fd)} ${enc}`);
      write(fd, data, enc);
    }) as never);
    const fsync = realFs.fsyncSync.bind(realFs);
    jest.spyOn(realFs, 'fsyncSync').mockImplementation((fd: number) => {
      calls.push(`fsync ${fds.get(fd)}`);
      fsync(fd);
    });
    const close = realFs.closeSync.bind(realFs);
    jest.spyOn(realFs, 'closeSync').mockImplementation((fd: number) => {
      calls.push(`close ${fds.get(fd)}`);
      close(fd);
    });
    const rename = realFs.renameSync.bind(realFs);
    jest.spyOn(realFs, 'renameSync').mockImplementation((a: fs.PathLike, b: fs.PathLike) => {
      calls.push(`rename ${path.basename(String(b))}`);
      rename(a, b);
    });
    const rm = realFs.rmSync.bind(realFs);
    jest.spyOn(realFs, 'rmSync').mockImplementation((p: fs.PathLike, o?: fs.RmOptions) => {
      calls.push(`rm ${path.basename(String(p))}`);
      rm(p, o);
    });
    writeFiles([plan('a'), plan('b')]);
    expect(calls).toEqual([
      'write tmp utf8',
      'fsync tmp',
      'close tmp',
      'write tmp utf8',
      'fsync tmp',
      'close tmp',
      'rename a',
      'rename b',
      'fsync dir',
      'close dir',
    ]);
  });

  test('a failed write closes the temp fd, removes the temp file and names the errno', () => {
    const closed: number[] = [];
    const close = realFs.closeSync.bind(realFs);
    jest.spyOn(realFs, 'closeSync').mockImplementation((fd: number) => {
      closed.push(fd);
      close(fd);
    });
    const open = realFs.openSync.bind(realFs);
    const opened: number[] = [];
    jest.spyOn(realFs, 'openSync').mockImplementation(((p: fs.PathLike, flags: number, mode?: number) => {
      const fd = open(p, flags, mode);
      opened.push(fd);
      return fd;
    }) as never);
    jest.spyOn(realFs, 'writeFileSync').mockImplementation(() => {
      throw Object.assign(new Error('no space'), { code: 'ENOSPC', syscall: 'write' });
    });
    const f = plan('a');
    expect(() => writeFiles([f])).toThrow(/^WriteFailed: .*\/a: cannot write it \(ENOSPC on write\); check/);
    expect(closed).toEqual(opened);
    expect(opened).toHaveLength(1);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('an fs error without code or syscall is named "error"; a temp file already gone does not hide it', () => {
    jest.spyOn(realFs, 'fsyncSync').mockImplementationOnce(() => {
      throw new Error('odd');
    });
    const rm = realFs.rmSync.bind(realFs);
    jest.spyOn(realFs, 'rmSync').mockImplementation((p: fs.PathLike, o?: fs.RmOptions) => {
      rm(p, { force: true });
      rm(p, o); // the temp file is already gone: only force: true keeps this quiet
    });
    expect(() => writeFiles([plan('a')])).toThrow(/^WriteFailed: .*\/a: cannot write it \(error\); check/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a failed rename removes the temp files still staged, even one already gone', () => {
    const rename = realFs.renameSync.bind(realFs);
    let n = 0;
    jest.spyOn(realFs, 'renameSync').mockImplementation((a: fs.PathLike, b: fs.PathLike) => {
      n += 1;
      if (n > 5) throw new Error('rename loop');
      if (path.basename(String(b)) === 'b') {
        fs.rmSync(a); // gone before the clean-up
        throw Object.assign(new Error('x'), { code: 'EIO', syscall: 'rename' });
      }
      rename(a, b);
    });
    const removed: string[] = [];
    const rm = realFs.rmSync.bind(realFs);
    jest.spyOn(realFs, 'rmSync').mockImplementation((p: fs.PathLike, o?: fs.RmOptions) => {
      removed.push(path.basename(String(p)).replace(/\.tmp-.*$/, '.tmp'));
      rm(p, o);
    });
    expect(() => writeFiles([plan('a'), plan('b'), plan('c')])).toThrow(/^WriteFailed: .*\/b: cannot write it \(EIO on rename\); check/);
    expect(n).toBe(2);
    expect(removed).toEqual(['.b.tmp', '.b.tmp', '.c.tmp']); // the test's own removal, then the clean-up: not a's, renamed already
    expect(fs.readdirSync(dir)).toEqual(['a']);
  });
});

describe('planFiles: the origin-verify owner is the running user', () => {
  afterEach(() => jest.restoreAllMocks());
  const o = secret('origin-verify', '/run/b');

  test('a non-root running user owns the origin map (its uid and gid, not 0)', () => {
    jest.spyOn(process, 'getuid').mockReturnValue(1234);
    jest.spyOn(process, 'getgid').mockReturnValue(5678);
    expect(planFiles([{ secret: o, content: 'B' } as never], OWNERS)).toEqual([{ secret: o, path: '/run/b', content: 'B', uid: 1234, gid: 5678, mode: ORIGIN_MAP_MODE }]);
  });

  test('without process.getuid/getgid (a platform without them) the owner defaults to root 0:0', () => {
    const saved = { getuid: process.getuid, getgid: process.getgid };
    Object.assign(process, { getuid: undefined, getgid: undefined });
    try {
      expect(planFiles([{ secret: o, content: 'B' } as never], OWNERS)).toEqual([{ secret: o, path: '/run/b', content: 'B', uid: 0, gid: 0, mode: ORIGIN_MAP_MODE }]);
    } finally {
      Object.assign(process, saved);
    }
  });
});
