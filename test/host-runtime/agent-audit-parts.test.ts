import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findGateways, gatewayFile, passwdUids, STATE_DATABASE } from '../../host/agent-audit/gateways';
import { loadPosition, savePosition } from '../../host/agent-audit/position';
import { requireRootForRuntime } from './support/runtime-tools';

// The parts of agent-audit.js (host/agent-audit/) that need no SQLite, in this process: which
// folders are a gateway's (and which are refused), which files of a gateway may be read, and the
// saved position of each export. Folders owned by made-up uids: the test runs as root, as the
// program does. The whole program against real ledgers: test/openclaw/audit-export-program.test.ts.

const UID = 41_001;
let dir: string;
let warned: string[];
const warn = (line: string) => warned.push(line);

beforeAll(() => requireRootForRuntime('the audit export parts test (folders owned by other uids)'));
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-audit-parts-'));
  warned = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const folder = (p: string, uid = UID) => {
  fs.mkdirSync(p, { recursive: true });
  fs.chownSync(p, uid, uid);
  return p;
};

describe('passwdUids', () => {
  test('name and uid of each line; a line without a numeric uid is skipped', () => {
    const text = ['root:x:0:0:root:/root:/bin/bash', 'openclaw-ops:x:995:994::/nonexistent:/usr/sbin/nologin', 'broken', 'odd:x:12a:1::/:/bin/false', 'odder:x:u12:1::/:/bin/false', ':x:7:7::/:/bin/false', 'nouid:x::1::/:/bin/false', ''].join('\n');
    expect([...passwdUids(text)]).toEqual([
      ['root', 0],
      ['openclaw-ops', 995],
    ]);
  });
});

describe('findGateways', () => {
  test('each folder of a gateway user, owned by it, in id order; lost+found skipped quietly; the others refused with a warning each', () => {
    folder(path.join(dir, 'ops'));
    folder(path.join(dir, 'sales-b'));
    folder(path.join(dir, 'support'));
    folder(path.join(dir, 'lost+found'), 0);
    folder(path.join(dir, 'stranger'));
    folder(path.join(dir, 'Ops'));
    folder(path.join(dir, 'a'.repeat(24)));
    folder(path.join(dir, 'sales'), 0);
    fs.writeFileSync(path.join(dir, 'file'), '');
    fs.symlinkSync(path.join(dir, 'ops'), path.join(dir, 'linked'));
    const uids = new Map([
      ['openclaw-ops', UID],
      ['openclaw-sales-b', UID],
      ['openclaw-support', UID],
      ['openclaw-sales', UID],
      ['openclaw-linked', UID],
      ['openclaw-Ops', UID],
      [`openclaw-${'a'.repeat(24)}`, UID],
    ]);
    expect(findGateways(dir, uids, warn)).toEqual([
      { id: 'ops', dir: path.join(dir, 'ops'), uid: UID },
      { id: 'sales-b', dir: path.join(dir, 'sales-b'), uid: UID },
      { id: 'support', dir: path.join(dir, 'support'), uid: UID },
    ]);
    expect(warned).toEqual([
      `${path.join(dir, 'Ops')}: no gateway user openclaw-Ops; not read`,
      `${path.join(dir, 'a'.repeat(24))}: no gateway user openclaw-${'a'.repeat(24)}; not read`,
      `${path.join(dir, 'file')}: a symlink or not a folder; not read`,
      `${path.join(dir, 'linked')}: a symlink or not a folder; not read`,
      `${path.join(dir, 'sales')}: owned by uid 0, not by openclaw-sales (${UID}); not read`,
      `${path.join(dir, 'stranger')}: no gateway user openclaw-stranger; not read`,
    ]);
  });

  test('an id of 23 characters is a gateway id', () => {
    const id = 'a'.repeat(23);
    folder(path.join(dir, id));
    expect(findGateways(dir, new Map([[`openclaw-${id}`, UID]]), warn).map((g) => g.id)).toEqual([id]);
    expect(warned).toEqual([]);
  });
});

describe('gatewayFile', () => {
  const gateway = () => ({ id: 'ops', dir: folder(path.join(dir, 'ops')), uid: UID });

  test('the path when every component is the gateway user\'s real folder or file; undefined when a component is missing', () => {
    const g = gateway();
    expect(gatewayFile(g, STATE_DATABASE)).toBeUndefined();
    folder(path.join(g.dir, 'state'));
    expect(gatewayFile(g, STATE_DATABASE)).toBeUndefined();
    const db = path.join(g.dir, STATE_DATABASE);
    fs.writeFileSync(db, '');
    fs.chownSync(db, UID, UID);
    expect(gatewayFile(g, STATE_DATABASE)).toBe(db);
  });

  test('refused: a symlinked folder or file, a folder where a file should be and the reverse, a component of another owner', () => {
    const g = gateway();
    const elsewhere = folder(path.join(dir, 'elsewhere'));
    fs.symlinkSync(elsewhere, path.join(g.dir, 'state'));
    expect(String(gatewayFile(g, STATE_DATABASE))).toBe(`Error: ${path.join(g.dir, 'state')}: a symlink or not a regular folder; not read`);
    fs.rmSync(path.join(g.dir, 'state'));
    fs.writeFileSync(path.join(g.dir, 'state'), '');
    fs.chownSync(path.join(g.dir, 'state'), UID, UID);
    expect(String(gatewayFile(g, STATE_DATABASE))).toBe(`Error: ${path.join(g.dir, 'state')}: a symlink or not a regular folder; not read`);
    fs.rmSync(path.join(g.dir, 'state'));
    folder(path.join(g.dir, 'state'));
    folder(path.join(g.dir, 'state', 'openclaw.sqlite'));
    expect(String(gatewayFile(g, STATE_DATABASE))).toBe(`Error: ${path.join(g.dir, STATE_DATABASE)}: a symlink or not a regular file; not read`);
    fs.rmSync(path.join(g.dir, 'state'), { recursive: true });
    folder(path.join(g.dir, 'state'), 0);
    expect(String(gatewayFile(g, STATE_DATABASE))).toBe(`Error: ${path.join(g.dir, 'state')}: owned by uid 0, not by the gateway's user (${UID}); not read`);
    fs.chownSync(path.join(g.dir, 'state'), UID, UID);
    fs.writeFileSync(path.join(g.dir, STATE_DATABASE), '');
    expect(String(gatewayFile(g, STATE_DATABASE))).toBe(`Error: ${path.join(g.dir, STATE_DATABASE)}: owned by uid 0, not by the gateway's user (${UID}); not read`);
  });
});

describe('positions', () => {
  test('none yet: the start, quietly; saved: read back; the file root 0600, in a folder made 0700, no temporary file left', () => {
    const positions = path.join(dir, 'positions');
    expect(loadPosition(positions, 'ops', warn)).toEqual({ sequence: 0, eventId: '' });
    expect(warned).toEqual([]);
    savePosition(positions, 'ops', { sequence: 42, eventId: 'e-42' });
    expect(loadPosition(positions, 'ops', warn)).toEqual({ sequence: 42, eventId: 'e-42' });
    expect(fs.statSync(positions).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(positions, 'ops.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(positions)).toEqual(['ops.json']);
    expect(fs.readFileSync(path.join(positions, 'ops.json'), 'utf8')).toBe('{"sequence":42,"eventId":"e-42"}\n');
    expect(warned).toEqual([]);
  });

  test.each([
    ['not JSON', 'nope'],
    ['a negative sequence', '{"sequence":-1,"eventId":"e"}'],
    ['a fractional sequence', '{"sequence":1.5,"eventId":"e"}'],
    ['a sequence past the safe integers', '{"sequence":9007199254740992,"eventId":"e"}'],
    ['a sequence as text', '{"sequence":"1","eventId":"e"}'],
    ['no event id', '{"sequence":1}'],
    ['JSON null', 'null'],
  ])('%s: the start, with a warning naming the file and the gateway', (_what, text) => {
    fs.writeFileSync(path.join(dir, 'ops.json'), text);
    expect(loadPosition(dir, 'ops', warn)).toEqual({ sequence: 0, eventId: '' });
    expect(warned).toEqual([`${path.join(dir, 'ops.json')}: not a position; exporting the ledger of ops from its start`]);
  });

  test('sequence 0 with an event id is a position; a file that cannot be read is the start, with why', () => {
    fs.writeFileSync(path.join(dir, 'ops.json'), '{"sequence":0,"eventId":"e-0"}');
    expect(loadPosition(dir, 'ops', warn)).toEqual({ sequence: 0, eventId: 'e-0' });
    fs.mkdirSync(path.join(dir, 'support.json'));
    expect(loadPosition(dir, 'support', warn)).toEqual({ sequence: 0, eventId: '' });
    expect(warned).toEqual([`${path.join(dir, 'support.json')}: cannot read (EISDIR: illegal operation on a directory, read); exporting the ledger of support from its start`]);
  });
});
