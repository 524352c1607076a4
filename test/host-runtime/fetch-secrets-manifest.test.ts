import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderSecretsManifest } from '../../lib/secrets/secrets-manifest';
import { checkManifest, loadManifest } from '../../host/fetch-secrets/manifest';
import { exampleConfig } from '../host/support/host-tools';

// Focused, in-process checks of host/fetch-secrets/manifest.ts: every field's
// pattern (anchors and quantifiers, with near misses), every failure message
// pinned exactly.

const TAIL = '; the manifest is rendered by lib/secrets/secrets-manifest.ts and installed by the bundle: reinstall it';
const good = renderSecretsManifest(exampleConfig('dev'));
type Doc = Record<string, unknown> & { secrets: Record<string, unknown>[] };

function check(mutate: (m: Doc) => void): string {
  const m = JSON.parse(JSON.stringify(good)) as Doc;
  mutate(m);
  try {
    checkManifest(m, 'm.json');
  } catch (e) {
    return (e as Error).message;
  }
  return 'accepted';
}
const msg = (where: string, what: string) => `ManifestInvalid: m.json: ${where}: ${what}${TAIL}`;
const jsonIndex = good.secrets.findIndex((s) => s.kind === 'json');

test('the document must be an object: a string, null and an array are refused', () => {
  for (const doc of ['x', null, [], 1]) {
    expect(() => checkManifest(doc, 'm.json')).toThrow(new Error(msg('document', 'expected an object')));
  }
});

test('each secret must be an object (null, array, string refused)', () => {
  for (const v of [null, [], 'x']) {
    expect(check((m) => ((m.secrets as unknown[])[0] = v))).toBe(msg('secrets[0]', 'expected an object'));
  }
});

test('top-level fields: message names the field and the pattern; near misses refused (anchors)', () => {
  const cases: [string, string, string][] = [
    ['deployment', 'Xabc', '/^[a-z0-9-]{1,200}$/'],
    ['deployment', 'abc X', '/^[a-z0-9-]{1,200}$/'],
    ['region', 'xus-east-1', '/^[a-z]{2}(-[a-z]+)+-\\d$/'],
    ['region', 'us-east-1x', '/^[a-z]{2}(-[a-z]+)+-\\d$/'],
    ['metricNamespace', ':ns', '/^[^:\\s][^:]{0,254}$/'],
    ['metricNamespace', 'ns:', '/^[^:\\s][^:]{0,254}$/'],
    ['metricName', ' Name', '/^[A-Za-z0-9_.-]{1,255}$/'],
    ['metricName', 'Name ', '/^[A-Za-z0-9_.-]{1,255}$/'],
  ];
  for (const [key, value, re] of cases) {
    expect([key, value, check((m) => (m[key] = value))]).toEqual([key, value, msg(key, `expected a string matching ${re}`)]);
  }
});

test('region: a multi-part partition name (us-gov-west-1) is accepted', () => {
  expect(check((m) => (m.region = 'us-gov-west-1'))).toBe('accepted');
  expect(check((m) => (m.secrets[0]!.region = 'us-gov-west-1'))).toBe('accepted');
});

test('secret fields: near misses refused with the field named', () => {
  const cases: [string, string, string][] = [
    ['id', 'Xabc', '/^[a-z0-9-]{1,200}$/'],
    ['id', 'abc X', '/^[a-z0-9-]{1,200}$/'],
    ['secretId', ' abc', '/^[A-Za-z0-9/_+=.@-]{1,512}$/'],
    ['secretId', 'abc ', '/^[A-Za-z0-9/_+=.@-]{1,512}$/'],
    ['region', 'us-east-1x', '/^[a-z]{2}(-[a-z]+)+-\\d$/'],
    ['file', '/run/x/', '/^\\/[^\\0]*[^/]$/'],
    ['user', '1abc', '/^[a-z_][a-z0-9_-]{0,31}$/'],
    ['user', 'abc!', '/^[a-z_][a-z0-9_-]{0,31}$/'],
    ['unit', 'openclaw-gateway@ops.service ', '/^[A-Za-z0-9:_.\\\\@-]{1,240}\\.service$/'],
    ['unit', 'openclaw-gateway@ops.timer', '/^[A-Za-z0-9:_.\\\\@-]{1,240}\\.service$/'],
  ];
  for (const [key, value, re] of cases) {
    expect([key, value, check((m) => (m.secrets[0]![key] = value))]).toEqual([key, value, msg(`secrets[0].${key}`, `expected a string matching ${re}`)]);
  }
});

test('text and json secrets name their owner and unit (required); the origin-verify map has none', () => {
  expect(good.secrets.map((s) => [s.id, s.kind === 'origin-verify' ? null : [s.user, s.unit]])).toEqual([
    ['gateway-token-ops', ['openclaw-ops', 'openclaw-gateway@ops.service']],
    ['agent-ops', ['openclaw-ops', 'openclaw-gateway@ops.service']],
    ['gateway-token-support', ['openclaw-support', 'openclaw-gateway@support.service']],
    ['agent-support', ['openclaw-support', 'openclaw-gateway@support.service']],
    ['origin-verify', null],
  ]);
  expect(check((m) => delete m.secrets[0]!.user)).toBe(msg('secrets[0].user', 'expected a string matching /^[a-z_][a-z0-9_-]{0,31}$/'));
  expect(check((m) => delete m.secrets[jsonIndex]!.unit)).toBe(msg(`secrets[${jsonIndex}].unit`, 'expected a string matching /^[A-Za-z0-9:_.\\\\@-]{1,240}\\.service$/'));
});

test("one folder, one owner: a secret of another user in a gateway's folder is refused", () => {
  // support's document moved into ops's folder, still owned by openclaw-support.
  expect(check((m) => (m.secrets[3]!.file = String(m.secrets[1]!.file).replace('agent-ops', 'agent-support')))).toBe(
    msg('secrets[3].user', `"openclaw-support" owns ${good.secrets[1]!.file.replace('agent-ops', 'agent-support')}, but "openclaw-ops" owns ${good.secrets[0]!.file} in the same folder; each gateway's folder belongs to one user`),
  );
});

test("the origin-verify map in a gateway's folder is refused (its user could replace nginx's map there); in its own folder it is accepted", () => {
  const origin = good.secrets.findIndex((s) => s.kind === 'origin-verify');
  const moved = `${path.dirname(good.secrets[0]!.file)}/origin-verify.map.conf`;
  expect(check((m) => (m.secrets[origin]!.file = moved))).toBe(
    msg(`secrets[${origin}].file`, `${moved} is in the folder of "openclaw-ops" (${good.secrets[0]!.file}); the origin-verify map must not be in a gateway's folder`),
  );
  expect(check(() => undefined)).toBe('accepted');
  expect(good.secrets.filter((s) => s.kind === 'origin-verify')).toHaveLength(1);
});

test('kind: an unknown kind is refused, naming the accepted kinds', () => {
  expect(check((m) => (m.secrets[0]!.kind = 'binary'))).toBe(msg('secrets[0].kind', 'expected "text", "json" or "origin-verify"'));
});

test('json fillCommand: one line only (a newline anywhere is refused)', () => {
  const where = `secrets[${jsonIndex}].fillCommand`;
  expect(check((m) => (m.secrets[jsonIndex]!.fillCommand = 'first\nsecond'))).toBe(msg(where, 'expected a string matching /^[^\\n]{1,500}$/'));
});

test('json requiredPointers: every entry must be an RFC 6901 pointer string', () => {
  const where = `secrets[${jsonIndex}].requiredPointers`;
  const refused = msg(where, 'expected an array of JSON pointers (RFC 6901), like "/anthropic/apiKey"');
  const set = (v: unknown) => check((m) => (m.secrets[jsonIndex]!.requiredPointers = v));
  expect(set(['/a', 'b'])).toBe(refused);
  expect(set([['/a']])).toBe(refused);
  expect(set(['/a~2'])).toBe(refused);
  expect(set('/a')).toBe(refused);
  expect(set(['/a~1b', '/m~0n', '/x/y'])).toBe('accepted');
});

describe('loadManifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-manifest-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('reads a manifest file as UTF-8 JSON', () => {
    const file = path.join(dir, 'good.json');
    fs.writeFileSync(file, JSON.stringify(good));
    expect(loadManifest(file)).toEqual(good);
  });

  test('a missing file names the errno code', () => {
    const file = path.join(dir, 'absent.json');
    expect(() => loadManifest(file)).toThrow(new Error(`ManifestInvalid: ${file}: file: cannot read it (ENOENT)${TAIL}`));
  });

  test('an fs error without an errno code is named "error"', () => {
    const file = path.join(dir, 'odd.json');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const spy = jest.spyOn(require('fs') as typeof fs, 'readFileSync').mockImplementation(() => {
      throw new Error('odd');
    });
    try {
      expect(() => loadManifest(file)).toThrow(new Error(`ManifestInvalid: ${file}: file: cannot read it (error)${TAIL}`));
    } finally {
      spy.mockRestore();
    }
  });

  test('a file that is not JSON is refused', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{');
    expect(() => loadManifest(file)).toThrow(new Error(`ManifestInvalid: ${file}: document: not valid JSON${TAIL}`));
  });
});
