import * as fs from 'fs';
import * as path from 'path';
import { loadConfig, type LoadedConfig } from '../../lib/config/load';
import { mergeLayers, originOf } from '../../lib/config/merge';
import type { ConfigLayer } from '../../lib/config/yaml-source';
import { CONFIG_DIR, configFixture, NOW, REPO_ROOT } from '../support/config-fixture';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});

/** Loads `client` x `env` from a copy of config/ with `files` written on top. */
function load(files: Record<string, string>, client: string, env: string): LoadedConfig {
  const root = configFixture(files);
  roots.push(root);
  return loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client, env });
}

/** 1-based line of the first line of a committed config file matching `re`. */
function lineIn(rel: string, re: RegExp): number {
  const lines = fs.readFileSync(path.join(CONFIG_DIR, rel), 'utf8').split('\n');
  const i = lines.findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`no line matching ${re} in config/${rel}`);
  return i + 1;
}

// One override at every layer. Line numbers are asserted below, so keep them in sync.
const ENV_DEV = [
  'tags:', //                                      1
  '  environment-class: non-production', //        2
  '  layer: env', //                               3
  '  from-env: "yes"', //                          4
  'kms:', //                                       5
  '  rotationPeriodDays: 200', //                  6
  '',
].join('\n');

const ACME_CLIENT = [
  'aws:', //                                       1
  '  account: "111111111111"', //                  2
  '  region: eu-west-1', //                        3
  'tags:', //                                      4
  '  layer: client', //                            5
  '  from-client: "yes"', //                       6
  'kms:', //                                       7
  '  rotationPeriodDays: 300', //                  8
  '',
].join('\n');

const ACME_DEV = [
  '# acme in dev only', //                         1
  'aws:', //                                       2
  '  account: "222222222222"', //                  3
  'tags:', //                                      4
  '  layer: client-env', //                        5
  'kms:', //                                       6
  '  rotationPeriodDays: 400', //                  7
  '',
].join('\n');

const LAYERED = {
  'environments/dev.yaml': ENV_DEV,
  'clients/acme/client.yaml': ACME_CLIENT,
  'clients/acme/dev.yaml': ACME_DEV,
  // A client that overrides nothing the environments set.
  'clients/beta/client.yaml': 'aws:\n  account: "333333333333"\n  region: us-east-1\n',
};

describe('merge order: base < environments/<env> < clients/<c>/client.yaml < clients/<c>/<env>.yaml', () => {
  test('clients/<c>/<env>.yaml beats every other layer, and provenance points at it', () => {
    const { config, merged, files } = load(LAYERED, 'acme', 'dev');

    expect(files).toEqual([
      'config/base.yaml',
      'config/environments/dev.yaml',
      'config/clients/acme/client.yaml',
      'config/clients/acme/dev.yaml',
    ]);
    expect(config.kms.rotationPeriodDays).toBe(400);
    expect(merged.origins.get('kms.rotationPeriodDays')).toEqual({ file: 'config/clients/acme/dev.yaml', line: 7 });
    expect(config.aws.account).toBe('222222222222');
    expect(originOf(merged, ['aws', 'account'])).toEqual({ file: 'config/clients/acme/dev.yaml', line: 3 });
    expect(config.tags.layer).toBe('client-env');
    expect(originOf(merged, ['tags', 'layer'])).toEqual({ file: 'config/clients/acme/dev.yaml', line: 5 });
  });

  test('keys a later layer does not set keep the value and provenance of the layer that set them', () => {
    const { config, merged } = load(LAYERED, 'acme', 'dev');

    // region only in client.yaml, not in clients/acme/dev.yaml
    expect(config.aws.region).toBe('eu-west-1');
    expect(originOf(merged, ['aws', 'region'])).toEqual({ file: 'config/clients/acme/client.yaml', line: 3 });
    // only in environments/dev.yaml
    expect(config.tags['from-env']).toBe('yes');
    expect(originOf(merged, ['tags', 'from-env'])).toEqual({ file: 'config/environments/dev.yaml', line: 4 });
    // only in base.yaml
    expect(config.project.prefix).toBe('openclaw');
    expect(originOf(merged, ['project', 'prefix'])).toEqual({ file: 'config/base.yaml', line: lineIn('base.yaml', /^\s+prefix:/) });
    expect(config.dataProtection.retainOnDelete).toBe(true);
    expect(originOf(merged, ['dataProtection', 'retainOnDelete'])).toEqual({
      file: 'config/base.yaml',
      line: lineIn('base.yaml', /^\s+retainOnDelete:/),
    });
  });

  test('client.yaml beats the environment when there is no clients/<c>/<env>.yaml', () => {
    const { config, merged, files } = load(LAYERED, 'acme', 'staging');

    expect(files).toEqual(['config/base.yaml', 'config/environments/staging.yaml', 'config/clients/acme/client.yaml']);
    expect(config.kms.rotationPeriodDays).toBe(300);
    expect(merged.origins.get('kms.rotationPeriodDays')).toEqual({ file: 'config/clients/acme/client.yaml', line: 8 });
    expect(config.aws.account).toBe('111111111111');
    expect(originOf(merged, ['aws', 'account'])).toEqual({ file: 'config/clients/acme/client.yaml', line: 2 });
    expect(config.tags.layer).toBe('client');
    expect(originOf(merged, ['tags', 'layer'])).toEqual({ file: 'config/clients/acme/client.yaml', line: 5 });
  });

  test('the environment beats base.yaml', () => {
    const { config, merged } = load(LAYERED, 'beta', 'dev');

    expect(config.kms.rotationPeriodDays).toBe(200);
    expect(merged.origins.get('kms.rotationPeriodDays')).toEqual({ file: 'config/environments/dev.yaml', line: 6 });
    expect(config.tags.layer).toBe('env');
    expect(originOf(merged, ['tags', 'layer'])).toEqual({ file: 'config/environments/dev.yaml', line: 3 });
  });

  test('base.yaml applies when no overlay sets the key', () => {
    const { config, merged } = load(LAYERED, 'beta', 'staging');

    expect(config.kms.rotationPeriodDays).toBe(365);
    expect(merged.origins.get('kms.rotationPeriodDays')).toEqual({
      file: 'config/base.yaml',
      line: lineIn('base.yaml', /^\s+rotationPeriodDays:/),
    });
  });

  test('mappings merge key by key across all four layers', () => {
    const { config } = load(LAYERED, 'acme', 'dev');

    expect(config.tags).toEqual({
      'environment-class': 'non-production',
      layer: 'client-env',
      'from-env': 'yes',
      'from-client': 'yes',
    });
    expect(config.aws).toEqual({ account: '222222222222', region: 'eu-west-1' });
  });

  test('originOf falls back to the closest ancestor a layer set, and is undefined when none did', () => {
    const { merged } = load(LAYERED, 'acme', 'dev');

    expect(merged.origins.has('aws.nothing')).toBe(false);
    expect(originOf(merged, ['aws', 'nothing'])).toEqual(merged.origins.get('aws'));
    expect(originOf(merged, ['aws', 'nothing'])?.file).toMatch(/^config\/clients\/acme\//);
    expect(originOf(merged, ['nothing', 'at', 'all'])).toBeUndefined();
  });
});

describe('lists replace rather than concatenate', () => {
  const exception = (reason: string, expires: string) =>
    [
      'exceptions:',
      '  - control: data-retention',
      `    reason: ${reason}`,
      '    approvedBy: security@example.com',
      `    expires: ${expires}`,
      '',
    ].join('\n');
  const ENV_REASON = 'Dev sandboxes hold synthetic data only';
  const CLIENT_REASON = 'Acme dev holds synthetic data, reviewed by Acme security';

  test("a client's exceptions list replaces the environment's; its provenance is the client file only", () => {
    const { config, merged } = load(
      {
        'environments/dev.yaml': `dataProtection:\n  retainOnDelete: false\n${exception(ENV_REASON, '2027-01-31')}`,
        'clients/acme/client.yaml': `aws:\n  account: "111111111111"\n  region: eu-west-1\n${exception(CLIENT_REASON, '2027-03-31')}`,
      },
      'acme',
      'dev',
    );

    expect(config.exceptions).toEqual([
      { control: 'data-retention', reason: CLIENT_REASON, approvedBy: 'security@example.com', expires: '2027-03-31' },
    ]);
    // client.yaml: lines 1-3 aws, 4 exceptions, 5 "- control", 6 reason, 7 approvedBy, 8 expires
    expect(merged.origins.get('exceptions')).toEqual({ file: 'config/clients/acme/client.yaml', line: 4 });
    expect(originOf(merged, ['exceptions', 0, 'reason'])).toEqual({ file: 'config/clients/acme/client.yaml', line: 6 });
    expect(originOf(merged, ['exceptions', 0, 'expires'])).toEqual({ file: 'config/clients/acme/client.yaml', line: 8 });
    const exceptionOrigins = [...merged.origins].filter(([k]) => k.startsWith('exceptions'));
    expect(exceptionOrigins.length).toBeGreaterThan(0);
    expect(exceptionOrigins.every(([, o]) => o.file === 'config/clients/acme/client.yaml')).toBe(true);
    // The environment's own value still came through for the scalar it set.
    expect(config.dataProtection.retainOnDelete).toBe(false);
    expect(originOf(merged, ['dataProtection', 'retainOnDelete'])).toEqual({ file: 'config/environments/dev.yaml', line: 2 });
  });

  test('an empty list in a later layer removes the earlier entries (so the weakening is no longer covered)', () => {
    const root = configFixture({
      'environments/dev.yaml': `dataProtection:\n  retainOnDelete: false\n${exception(ENV_REASON, '2027-01-31')}`,
      'clients/acme/client.yaml': 'aws:\n  account: "111111111111"\n  region: eu-west-1\nexceptions: []\n',
    });
    roots.push(root);
    expect(() => loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' })).toThrow(
      /config\/environments\/dev\.yaml:2: dataProtection\.retainOnDelete: weakens the hardened control "data-retention"/,
    );
  });
});

describe('mergeLayers', () => {
  const layer = (file: string, value: Record<string, unknown>, lines: Record<string, number> = {}): ConfigLayer => ({
    file,
    value,
    lines: new Map(Object.entries(lines)),
  });

  test('a longer list is replaced by a shorter one, and origins of the dropped items are forgotten', () => {
    const merged = mergeLayers([
      layer('a.yaml', { list: [{ x: 1 }, { x: 2 }, { x: 3 }] }, { list: 1, 'list[0]': 2, 'list[0].x': 2, 'list[2]': 4, 'list[2].x': 4 }),
      layer('b.yaml', { list: [{ x: 9 }] }, { list: 7, 'list[0]': 8, 'list[0].x': 8 }),
    ]);

    expect(merged.value).toEqual({ list: [{ x: 9 }] });
    expect(merged.origins.get('list')).toEqual({ file: 'b.yaml', line: 7 });
    expect(merged.origins.get('list[0].x')).toEqual({ file: 'b.yaml', line: 8 });
    expect(merged.origins.has('list[2]')).toBe(false);
    expect(merged.origins.has('list[2].x')).toBe(false);
    expect(originOf(merged, ['list', 2, 'x'])).toEqual({ file: 'b.yaml', line: 7 });
  });

  test('scalars replace mappings and mappings replace scalars', () => {
    const merged = mergeLayers([
      layer('a.yaml', { a: { b: 1, c: 2 }, d: 'scalar' }, { a: 1, 'a.b': 2, 'a.c': 3, d: 4 }),
      layer('b.yaml', { a: 5, d: { e: true } }, { a: 1, d: 2, 'd.e': 3 }),
    ]);

    expect(merged.value).toEqual({ a: 5, d: { e: true } });
    expect(merged.origins.get('a')).toEqual({ file: 'b.yaml', line: 1 });
    expect(merged.origins.has('a.b')).toBe(false);
    expect(merged.origins.has('a.c')).toBe(false);
    expect(merged.origins.get('d.e')).toEqual({ file: 'b.yaml', line: 3 });
  });

  test('nested mappings merge key by key; later scalars win', () => {
    const merged = mergeLayers([
      layer('a.yaml', { m: { n: { keep: 1, over: 1 } } }, { 'm.n.keep': 3, 'm.n.over': 4 }),
      layer('b.yaml', { m: { n: { over: 2, add: 2 } } }, { 'm.n.over': 5, 'm.n.add': 6 }),
    ]);

    expect(merged.value).toEqual({ m: { n: { keep: 1, over: 2, add: 2 } } });
    expect(merged.origins.get('m.n.keep')).toEqual({ file: 'a.yaml', line: 3 });
    expect(merged.origins.get('m.n.over')).toEqual({ file: 'b.yaml', line: 5 });
    expect(merged.origins.get('m.n.add')).toEqual({ file: 'b.yaml', line: 6 });
  });

  test('a mapping merged into by a later layer keeps the origin of the layer that first set it', () => {
    const merged = mergeLayers([
      layer('a.yaml', { m: { x: 1 } }, { m: 1, 'm.x': 2 }),
      layer('b.yaml', { m: { y: 2 } }, { m: 5, 'm.y': 6 }),
    ]);
    expect(merged.origins.get('m')).toEqual({ file: 'a.yaml', line: 1 });
    expect(merged.origins.get('m.y')).toEqual({ file: 'b.yaml', line: 6 });
  });

  test('does not mutate the layers it merges', () => {
    const first = layer('a.yaml', { tags: { a: '1' }, list: [1] });
    const second = layer('b.yaml', { tags: { b: '2' }, list: [2] });
    const merged = mergeLayers([first, second]);

    expect(merged.value).toEqual({ tags: { a: '1', b: '2' }, list: [2] });
    expect(first.value).toEqual({ tags: { a: '1' }, list: [1] });
    expect(second.value).toEqual({ tags: { b: '2' }, list: [2] });
    (merged.value.tags as Record<string, string>).c = '3';
    expect(first.value.tags).toEqual({ a: '1' });
  });
});

describe('the committed example client', () => {
  const loadExample = (env: string) => loadConfig({ configDir: CONFIG_DIR, displayBase: REPO_ROOT, now: NOW, client: 'example', env });

  test('prod deploys into the account from clients/example/prod.yaml', () => {
    const { config, merged, files } = loadExample('prod');

    expect(config.client).toBe('example');
    expect(config.env).toBe('prod');
    expect(config.aws.account).toBe('210987654321');
    expect(originOf(merged, ['aws', 'account'])).toEqual({
      file: 'config/clients/example/prod.yaml',
      line: lineIn('clients/example/prod.yaml', /^\s+account:/),
    });
    expect(files).toEqual([
      'config/base.yaml',
      'config/environments/prod.yaml',
      'config/clients/example/client.yaml',
      'config/clients/example/prod.yaml',
    ]);
    // prod.yaml sets only the account: the region still comes from client.yaml
    expect(config.aws.region).toBe('eu-west-1');
    expect(originOf(merged, ['aws', 'region'])?.file).toBe('config/clients/example/client.yaml');
    expect(config.kms.rotationPeriodDays).toBe(180);
    expect(originOf(merged, ['kms', 'rotationPeriodDays'])?.file).toBe('config/environments/prod.yaml');
    expect(config.tags).toEqual({ 'environment-class': 'production', 'client-owner': 'agency-ops' });
  });

  test('dev deploys into the account from clients/example/client.yaml', () => {
    const { config, merged, files } = loadExample('dev');

    expect(config.client).toBe('example');
    expect(config.env).toBe('dev');
    expect(config.aws.account).toBe('123456789012');
    expect(originOf(merged, ['aws', 'account'])).toEqual({
      file: 'config/clients/example/client.yaml',
      line: lineIn('clients/example/client.yaml', /^\s+account:/),
    });
    expect(files).toEqual(['config/base.yaml', 'config/environments/dev.yaml', 'config/clients/example/client.yaml']);
    expect(config.kms.rotationPeriodDays).toBe(365);
    expect(config.tags).toEqual({ 'environment-class': 'non-production', 'client-owner': 'agency-ops' });
  });

  test.each(['dev', 'staging', 'prod'])('%s loads with hardened defaults and no exceptions', (env) => {
    const { config } = loadExample(env);

    expect(config.env).toBe(env);
    expect(config.dataProtection.retainOnDelete).toBe(true);
    expect(config.exceptions).toEqual([]);
  });
});
