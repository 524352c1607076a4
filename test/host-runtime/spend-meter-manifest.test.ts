import * as fs from 'fs';
// The module object itself, so that jest.spyOn reaches the calls manifest.ts makes.
import nodeFs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ManifestError, checkManifest, loadManifest } from '../../host/spend-meter/manifest';

// The meter's manifest check (host/spend-meter/manifest.ts), focused: a valid
// manifest taken as it is, each field's accepted and refused values (the patterns'
// anchors included), and every error message pinned.

const FILE = '/m/spend-meter.json';
const PRICE = { inputPerMTok: 3, outputPerMTok: 15, cacheReadPerMTok: 0.3, cacheWritePerMTok: 3.75 };
const good = () => ({
  version: 2,
  deployment: 'openclaw-example-dev',
  region: 'eu-west-1',
  namespace: 'OpenClaw/openclaw-example-dev',
  openclawStateDir: '/oc/state',
  stateFile: '/meter/state.json',
  prices: { 'anthropic/claude-sonnet-4-6': PRICE },
  limits: { dailyUsd: 10, monthlyUsd: 200 },
  gateways: [
    {
      id: 'ops',
      agents: ['ops'],
      unit: 'openclaw-gateway@ops.service',
      user: 'openclaw-ops',
      stateDir: '/oc/state/ops',
      proxyPort: 3129,
      nftCounter: 'egress_blocked_ops',
      limits: { modelDailyUsd: 2, modelMonthlyUsd: 25, toolCallsPer5Min: 150, blockedEgressPer5Min: 20 },
    },
  ],
  breakerDir: '/meter/breaker',
  nftTable: 'openclaw',
  egressAccessLog: '/var/log/squid/access.log',
});
const tail = 'the manifest is rendered by lib/host/spend-meter.ts and installed by the bundle: reinstall it';
/** The error message of checking `doc`. */
function refusal(doc: unknown): string {
  try {
    checkManifest(doc, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return (e as Error).message;
  }
  throw new Error('accepted');
}
const msg = (where: string, what: string) => `${FILE}: ${where}: ${what}; ${tail}`;

test('a valid manifest is taken as it is', () => {
  expect(checkManifest(good(), FILE)).toEqual(good());
  const edges = { ...good(), region: 'us-gov-west-1', namespace: 'x', deployment: 'a', prices: { 'a/B.c_d:1-2': { ...PRICE, inputPerMTok: 0, outputPerMTok: 1_000_000 } }, limits: { dailyUsd: 0, monthlyUsd: 1_000_000 } };
  expect(checkManifest(edges, FILE)).toEqual(edges);
  expect(checkManifest({ ...good(), namespace: 'n'.repeat(255), deployment: 'd'.repeat(200) }, FILE).namespace).toBe('n'.repeat(255));
});

test.each<[string, unknown, string, string]>([
  ['not an object', 'x', 'document', 'expected an object'],
  ['null', null, 'document', 'expected an object'],
  ['an array', [good()], 'document', 'expected an object'],
  ['another version', { ...good(), version: 1 }, 'version', 'expected 2'],
  ['prices missing', { ...good(), prices: undefined }, 'prices', 'expected an object'],
  ['prices null', { ...good(), prices: null }, 'prices', 'expected an object'],
  ['prices an array', { ...good(), prices: [PRICE] }, 'prices', 'expected an object'],
  ['no price', { ...good(), prices: {} }, 'prices', 'expected at least one model'],
  ['a model key without provider', { ...good(), prices: { sonnet: PRICE } }, 'prices.sonnet', 'expected a <provider>/<model> key'],
  ['a model key with something before it', { ...good(), prices: { ' a/b': PRICE } }, 'prices. a/b', 'expected a <provider>/<model> key'],
  ['a model key with something after it', { ...good(), prices: { 'a/b ': PRICE } }, 'prices.a/b ', 'expected a <provider>/<model> key'],
  ['a price not an object', { ...good(), prices: { 'a/b': 3 } }, 'prices.a/b', 'expected an object'],
  ['a price missing a kind', { ...good(), prices: { 'a/b': { ...PRICE, cacheWritePerMTok: undefined } } }, 'prices.a/b.cacheWritePerMTok', 'expected an amount from 0 to 1000000'],
  ['a price a string', { ...good(), prices: { 'a/b': { ...PRICE, inputPerMTok: '3' } } }, 'prices.a/b.inputPerMTok', 'expected an amount from 0 to 1000000'],
  ['a price not finite', { ...good(), prices: { 'a/b': { ...PRICE, outputPerMTok: Infinity } } }, 'prices.a/b.outputPerMTok', 'expected an amount from 0 to 1000000'],
  ['a price NaN', { ...good(), prices: { 'a/b': { ...PRICE, outputPerMTok: NaN } } }, 'prices.a/b.outputPerMTok', 'expected an amount from 0 to 1000000'],
  ['a price negative', { ...good(), prices: { 'a/b': { ...PRICE, cacheReadPerMTok: -0.01 } } }, 'prices.a/b.cacheReadPerMTok', 'expected an amount from 0 to 1000000'],
  ['a price over the maximum', { ...good(), prices: { 'a/b': { ...PRICE, inputPerMTok: 1_000_001 } } }, 'prices.a/b.inputPerMTok', 'expected an amount from 0 to 1000000'],
  ['limits missing', { ...good(), limits: undefined }, 'limits', 'expected an object'],
  ['daily limit missing', { ...good(), limits: { monthlyUsd: 1 } }, 'limits.dailyUsd', 'expected an amount from 0 to 1000000'],
  ['monthly limit negative', { ...good(), limits: { dailyUsd: 1, monthlyUsd: -1 } }, 'limits.monthlyUsd', 'expected an amount from 0 to 1000000'],
  ['stateFile relative', { ...good(), stateFile: 'meter/state.json' }, 'stateFile', 'expected an absolute, normalized path'],
  ['stateFile not a string', { ...good(), stateFile: 5 }, 'stateFile', 'expected an absolute, normalized path'],
  ['stateFile with a NUL', { ...good(), stateFile: '/meter/state\0.json' }, 'stateFile', 'expected an absolute, normalized path'],
  ['stateFile not normalized', { ...good(), stateFile: '/meter/../meter/state.json' }, 'stateFile', 'expected an absolute, normalized path'],
  ['openclawStateDir not normalized', { ...good(), openclawStateDir: '/oc//state' }, 'openclawStateDir', 'expected an absolute, normalized path'],
  ['stateFile in OpenClaw\'s state folder', { ...good(), stateFile: '/oc/state/meter.json' }, 'stateFile', "must not be in OpenClaw's state folder /oc/state (the gateway could change it)"],
  ['deployment not a string', { ...good(), deployment: 5 }, 'deployment', 'expected a string matching /^[a-z0-9-]{1,200}$/'],
  ['deployment empty', { ...good(), deployment: '' }, 'deployment', 'expected a string matching /^[a-z0-9-]{1,200}$/'],
  ['deployment with something before it', { ...good(), deployment: 'X-dev' }, 'deployment', 'expected a string matching /^[a-z0-9-]{1,200}$/'],
  ['deployment with something after it', { ...good(), deployment: 'dev_X' }, 'deployment', 'expected a string matching /^[a-z0-9-]{1,200}$/'],
  ['deployment too long', { ...good(), deployment: 'd'.repeat(201) }, 'deployment', 'expected a string matching /^[a-z0-9-]{1,200}$/'],
  ['region with something before it', { ...good(), region: 'Xeu-west-1' }, 'region', 'expected a string matching /^[a-z]{2}(-[a-z]+)+-\\d$/'],
  ['region with something after it', { ...good(), region: 'eu-west-1x' }, 'region', 'expected a string matching /^[a-z]{2}(-[a-z]+)+-\\d$/'],
  ['region without a part', { ...good(), region: 'eu-1' }, 'region', 'expected a string matching /^[a-z]{2}(-[a-z]+)+-\\d$/'],
  ['namespace starting with a space', { ...good(), namespace: ' OpenClaw' }, 'namespace', 'expected a string matching /^[^:\\s][^:]{0,254}$/'],
  ['namespace with a colon', { ...good(), namespace: 'AWS:x' }, 'namespace', 'expected a string matching /^[^:\\s][^:]{0,254}$/'],
  ['namespace ending with a colon', { ...good(), namespace: 'OpenClaw/x:' }, 'namespace', 'expected a string matching /^[^:\\s][^:]{0,254}$/'],
  ['namespace too long', { ...good(), namespace: 'n'.repeat(256) }, 'namespace', 'expected a string matching /^[^:\\s][^:]{0,254}$/'],
])('refused, naming the field: %s', (_name, doc, where, what) => {
  expect(refusal(doc)).toBe(msg(where, what));
});

describe('loadManifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spend-meter-manifest-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a valid file', () => {
    const file = path.join(dir, 'ok.json');
    fs.writeFileSync(file, JSON.stringify(good()));
    expect(loadManifest(file)).toEqual(good());
  });

  test('a missing file: cannot read it, with the error code', () => {
    const file = path.join(dir, 'missing.json');
    expect(() => loadManifest(file)).toThrow(new ManifestError(`${file}: cannot read it (ENOENT)`));
  });

  test('a folder: cannot read it (EISDIR)', () => {
    expect(() => loadManifest(dir)).toThrow(new ManifestError(`${dir}: cannot read it (EISDIR)`));
  });

  test('a read error without a code (not a system error): cannot read it (error)', () => {
    const file = path.join(dir, 'ok.json');
    jest.spyOn(nodeFs, 'readFileSync').mockImplementationOnce(() => {
      throw new Error('no code');
    });
    expect(() => loadManifest(file)).toThrow(new ManifestError(`${file}: cannot read it (error)`));
    jest.restoreAllMocks();
  });

  test('not JSON', () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{"version":');
    expect(() => loadManifest(file)).toThrow(new ManifestError(`${file}: not valid JSON`));
  });

  test('JSON but not a manifest: the check\'s message, naming the file', () => {
    const file = path.join(dir, 'v2.json');
    fs.writeFileSync(file, JSON.stringify({ ...good(), version: 1 }));
    expect(() => loadManifest(file)).toThrow(new ManifestError(`${file}: version: expected 2; ${tail}`));
  });
});
