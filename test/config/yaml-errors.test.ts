import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { MAX_ALIAS_COUNT } from '../../lib/config/yaml-source';
import { configFixture, NOW } from '../support/config-fixture';

// Every way reading an overlay can fail ends in a ConfigError naming the file
// (and the line where known), never in an exception from the parser or the
// file system (a stack trace on the CLI).

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

const AWS = 'aws:\n  account: "111122223333"\n  region: eu-west-1\n';
const CLIENT_FILE = 'config/clients/acme/client.yaml';

/** Loads acme/dev with `client.yaml` (text or bytes) and returns the single problem of the ConfigError. */
function problemOf(clientYaml: string | Buffer, extra: Record<string, string> = {}): ConfigProblem {
  const root = configFixture(extra);
  roots.push(root);
  const file = path.join(root, 'config', 'clients', 'acme', 'client.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, clientYaml);
  let thrown: unknown;
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
  } catch (e) {
    thrown = e;
  }
  if (!(thrown instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`);
  expect(thrown.problems).toHaveLength(1);
  expect(thrown.message).not.toMatch(/\n\s+at /);
  return thrown.problems[0]!;
}

test('tabs as indentation: file, line and the parser\'s reason', () => {
  expect(problemOf(`${AWS}tags:\n\tteam: a\n`)).toEqual({ file: CLIENT_FILE, line: 5, message: expect.stringMatching(/^YAML syntax error: Tabs are not allowed as indentation \(TAB_AS_INDENT\)$/) });
});

test('a duplicate key: the line of the second one', () => {
  expect(problemOf(`${AWS}tags:\n  team: a\n  team: b\n`)).toMatchObject({ file: CLIENT_FILE, line: 6, message: expect.stringMatching(/Map keys must be unique \(DUPLICATE_KEY\)$/) });
});

test('several YAML documents in one file', () => {
  expect(problemOf(`${AWS}---\ntags: {}\n`)).toMatchObject({ file: CLIENT_FILE, line: 4, message: 'YAML syntax error: found several YAML documents (a "---" separator); expected one document per file (MULTIPLE_DOCS)' });
});

test('an unknown tag (!foo) is refused, not silently read as a string', () => {
  expect(problemOf(`${AWS}tags:\n  team: !foo a\n`)).toMatchObject({ file: CLIENT_FILE, line: 5, message: expect.stringMatching(/^YAML problem: .*tag.*\(TAG_RESOLVE_FAILED\)$/i) });
});

test('an alias with no anchor: file, line, the alias', () => {
  expect(problemOf(`${AWS}tags:\n  team: *owner\n`)).toEqual({
    file: CLIENT_FILE,
    line: 5,
    message: 'YAML alias *owner has no anchor &owner before it; expected an alias of an anchor defined earlier in the file',
  });
});

test('an alias inside the node it refers to (a cycle) is refused, not looped over', () => {
  expect(problemOf(`${AWS}tags: &t\n  team: a\n  again: *t\n`)).toEqual({
    file: CLIENT_FILE,
    line: 6,
    message: 'YAML alias *t is inside the node &t it refers to (a cycle); expected an alias of a node it is not part of',
  });
});

test('a "billion laughs" document stops at the parser\'s alias guard with a ConfigError', () => {
  const laughs =
    'a: &a [x, x, x, x, x, x, x, x, x]\n' +
    ['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]\n`).join('') +
    'h: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n';
  expect(problemOf(`${AWS}${laughs}`)).toEqual({
    file: CLIENT_FILE,
    message: `YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes (the parser's guard against a "billion laughs" document); expected a file whose aliases expand to at most ${MAX_ALIAS_COUNT}`,
  });
});

test('a few aliases are fine: anchors stay usable', () => {
  const root = configFixture({ 'clients/acme/client.yaml': `${AWS}alerts:\n  email: &to ["ops@example.com"]\ntags:\n  team: &team ops\n  owner: *team\n` });
  roots.push(root);
  const { config } = loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
  expect(config.tags.owner).toBe('ops');
});

test('a top level that is not a mapping: a scalar', () => {
  expect(problemOf('just a string\n')).toEqual({ file: CLIENT_FILE, line: 1, message: 'found a string; expected a YAML mapping of keys to values' });
});

test('an empty file is an empty overlay: the keys it should set are reported missing, naming the files read', () => {
  const root = configFixture({ 'clients/acme/client.yaml': '' });
  roots.push(root);
  let err: unknown;
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toContainEqual({ path: 'aws', message: expect.stringMatching(/^required but not set in any of: .*config\/clients\/acme\/client\.yaml; expected a mapping$/) });
});

test('bytes that are not UTF-8: file, line and the byte', () => {
  const latin1 = Buffer.concat([Buffer.from(`${AWS}tags:\n  team: caf`), Buffer.from([0xe9]), Buffer.from('\n')]);
  expect(problemOf(latin1)).toEqual({
    file: CLIENT_FILE,
    line: 5,
    message: `found a byte that is not UTF-8 text (0xe9 at byte ${AWS.length + 'tags:\n  team: caf'.length}); expected a UTF-8 file (save it as UTF-8)`,
  });
});

test('a file that cannot be read (a folder named like the file)', () => {
  const root = configFixture({ 'clients/acme/client.yaml': AWS });
  roots.push(root);
  fs.mkdirSync(path.join(root, 'config', 'clients', 'acme', 'dev.yaml'));
  let err: unknown;
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([{ file: 'config/clients/acme/dev.yaml', message: 'cannot read the file (it is a folder); expected a readable YAML file' }]);
});

test('a key that would reach JavaScript\'s object machinery (__proto__) is refused', () => {
  expect(problemOf(`${AWS}tags:\n  __proto__: {team: a}\n`)).toEqual({ file: CLIENT_FILE, line: 5, path: 'tags.__proto__', message: 'key "__proto__" is not allowed; expected a config key' });
});

test('a config folder whose clients/ is a file: the missing client is reported, not a file-system exception', () => {
  const root = configFixture();
  roots.push(root);
  fs.rmSync(path.join(root, 'config', 'clients'), { recursive: true });
  fs.writeFileSync(path.join(root, 'config', 'clients'), 'not a folder\n');
  let err: unknown;
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'example', env: 'dev' });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).problems).toEqual([{ file: 'config/clients/example/client.yaml', message: 'no client "example"; available: none' }]);
});
