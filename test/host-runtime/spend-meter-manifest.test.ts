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

describe('the gateways: each field of each gateway checked, naming the gateway and the field', () => {
  type Gateway = ReturnType<typeof good>['gateways'][number];
  /** A gateway `id` whose every derived field (unit, user, state folder) matches. */
  const gateway = (id: string, port: number, change: Partial<Gateway> = {}): Gateway => ({
    ...good().gateways[0]!,
    id,
    unit: `openclaw-gateway@${id}.service`,
    user: `openclaw-${id}`,
    stateDir: `/oc/state/${id}`,
    proxyPort: port,
    ...change,
  });
  const withGateway = (change: Partial<Gateway>) => ({ ...good(), gateways: [gateway('ops', 3129, change)] });
  const withLimits = (change: Partial<Gateway['limits']>) => withGateway({ limits: { ...good().gateways[0]!.limits, ...change } });
  const g0 = (field: string) => `gateways[0].${field}`;
  const ID = 'expected a string matching /^[a-z0-9][a-z0-9_-]{0,22}$/';
  const NFT = 'expected a string matching /^[A-Za-z][A-Za-z0-9_]{0,63}$/';
  const UNIT = 'expected a string matching /^openclaw-gateway@[a-z0-9][a-z0-9_-]{0,22}\\.service$/';
  const USER = 'expected a string matching /^openclaw-[a-z0-9][a-z0-9_-]{0,22}$/';
  const COUNT = 'expected a whole number from 1 to 1000000';

  test('accepted at every edge: 64 gateways, a 23-character id, a 64-character agent id, ports 1 and 65535, counts 1 and 1000000, a 64-character nft name', () => {
    const many = { ...good(), gateways: Array.from({ length: 64 }, (_, i) => gateway(`g${i}`, 3000 + i)) };
    expect(checkManifest(many, FILE).gateways).toHaveLength(64);
    const id = `a${'b'.repeat(21)}9`;
    const edges = {
      ...good(),
      nftTable: `T${'_'.repeat(63)}`,
      gateways: [
        gateway(id, 1, { agents: [`a${'-'.repeat(62)}z`, '0', 'a_b'], nftCounter: `c${'C9_'.repeat(21)}`, limits: { modelDailyUsd: 0, modelMonthlyUsd: 1_000_000, toolCallsPer5Min: 1, blockedEgressPer5Min: 1_000_000 } }),
        gateway('x', 65535),
      ],
    };
    expect(checkManifest(edges, FILE)).toEqual(edges);
  });

  test.each<[string, unknown, string, string]>([
    ['gateways missing', { ...good(), gateways: undefined }, 'gateways', 'expected a list of 1 to 64 gateways'],
    ['gateways an object', { ...good(), gateways: { ops: good().gateways[0] } }, 'gateways', 'expected a list of 1 to 64 gateways'],
    ['no gateway', { ...good(), gateways: [] }, 'gateways', 'expected a list of 1 to 64 gateways'],
    ['65 gateways', { ...good(), gateways: Array.from({ length: 65 }, (_, i) => gateway(`g${i}`, 3000 + i)) }, 'gateways', 'expected a list of 1 to 64 gateways'],
    ['a gateway not an object', { ...good(), gateways: ['ops'] }, 'gateways[0]', 'expected an object'],
    ['the second gateway null', { ...good(), gateways: [gateway('ops', 3129), null] }, 'gateways[1]', 'expected an object'],
    ['an id with a capital', withGateway({ id: 'Ops' }), g0('id'), ID],
    ['an id starting with a dash', withGateway({ id: '-ops' }), g0('id'), ID],
    ['an id with something before it', withGateway({ id: ' ops' }), g0('id'), ID],
    ['an id with something after it', withGateway({ id: 'ops.' }), g0('id'), ID],
    ['an id of 24 characters', withGateway({ id: 'o'.repeat(24) }), g0('id'), ID],
    ['a relative state folder', withGateway({ stateDir: 'oc/state/ops' }), g0('stateDir'), 'expected an absolute, normalized path'],
    ['the state folder of another gateway', withGateway({ stateDir: '/oc/state/sales' }), g0('stateDir'), 'expected /oc/state/ops'],
    ['the whole of OpenClaw\'s state', withGateway({ stateDir: '/oc/state' }), g0('stateDir'), 'expected /oc/state/ops'],
    ['agents missing', withGateway({ agents: undefined }), g0('agents'), 'expected a list of agent ids'],
    ['agents a string', withGateway({ agents: 'ops' as never }), g0('agents'), 'expected a list of agent ids'],
    ['no agent', withGateway({ agents: [] }), g0('agents'), 'expected a list of agent ids'],
    ['an agent not a string', withGateway({ agents: ['ops', 5 as never] }), g0('agents'), 'expected a list of agent ids'],
    ['an agent id with a capital', withGateway({ agents: ['Ops'] }), g0('agents'), 'expected a list of agent ids'],
    ['an agent id with something before it', withGateway({ agents: ['ok', ' ops'] }), g0('agents'), 'expected a list of agent ids'],
    ['an agent id with something after it', withGateway({ agents: ['ops/'] }), g0('agents'), 'expected a list of agent ids'],
    ['an agent id of 65 characters', withGateway({ agents: ['a'.repeat(65)] }), g0('agents'), 'expected a list of agent ids'],
    ['a port as a string', withGateway({ proxyPort: '3129' as never }), g0('proxyPort'), 'expected a TCP port'],
    ['a port not whole', withGateway({ proxyPort: 3129.5 }), g0('proxyPort'), 'expected a TCP port'],
    ['port 0', withGateway({ proxyPort: 0 }), g0('proxyPort'), 'expected a TCP port'],
    ['port 65536', withGateway({ proxyPort: 65536 }), g0('proxyPort'), 'expected a TCP port'],
    ['port missing', withGateway({ proxyPort: undefined }), g0('proxyPort'), 'expected a TCP port'],
    ['a unit of another template', withGateway({ unit: 'other@ops.service' }), g0('unit'), UNIT],
    ['a unit with something before it', withGateway({ unit: 'xopenclaw-gateway@ops.service' }), g0('unit'), UNIT],
    ['a unit with something after it', withGateway({ unit: 'openclaw-gateway@ops.service.d' }), g0('unit'), UNIT],
    ['the unit of another gateway', withGateway({ unit: 'openclaw-gateway@sales.service' }), g0('unit'), 'expected openclaw-gateway@ops.service'],
    ['limits missing', withGateway({ limits: undefined }), g0('limits'), 'expected an object'],
    ['a daily limit negative', withLimits({ modelDailyUsd: -1 }), g0('limits.modelDailyUsd'), 'expected an amount from 0 to 1000000'],
    ['a monthly limit missing', withLimits({ modelMonthlyUsd: undefined }), g0('limits.modelMonthlyUsd'), 'expected an amount from 0 to 1000000'],
    ['tool calls 0', withLimits({ toolCallsPer5Min: 0 }), g0('limits.toolCallsPer5Min'), COUNT],
    ['tool calls not whole', withLimits({ toolCallsPer5Min: 1.5 }), g0('limits.toolCallsPer5Min'), COUNT],
    ['tool calls as a string', withLimits({ toolCallsPer5Min: '150' as never }), g0('limits.toolCallsPer5Min'), COUNT],
    ['tool calls over the maximum', withLimits({ toolCallsPer5Min: 1_000_001 }), g0('limits.toolCallsPer5Min'), COUNT],
    ['refused egress 0', withLimits({ blockedEgressPer5Min: 0 }), g0('limits.blockedEgressPer5Min'), COUNT],
    ['a user without the prefix', withGateway({ user: 'ops' }), g0('user'), USER],
    ['a user with something before it', withGateway({ user: 'xopenclaw-ops' }), g0('user'), USER],
    ['a user with something after it', withGateway({ user: 'openclaw-ops ' }), g0('user'), USER],
    ['an nft counter starting with a digit', withGateway({ nftCounter: '1blocked' }), g0('nftCounter'), NFT],
    ['an nft counter with something after it', withGateway({ nftCounter: 'blocked ops' }), g0('nftCounter'), NFT],
    ['an nft counter of 65 characters', withGateway({ nftCounter: 'a'.repeat(65) }), g0('nftCounter'), NFT],
    ['two gateways of one id', { ...good(), gateways: [gateway('ops', 3129), gateway('ops', 3130)] }, 'gateways', 'expected distinct ids'],
    ['two gateways on one port', { ...good(), gateways: [gateway('ops', 3129), gateway('sales', 3129)] }, 'gateways', 'expected distinct proxy ports'],
    ['an nft table starting with a digit', { ...good(), nftTable: '9openclaw' }, 'nftTable', NFT],
    ['an nft table with something after it', { ...good(), nftTable: 'openclaw-x' }, 'nftTable', NFT],
    ['the breaker folder in OpenClaw\'s state', { ...good(), breakerDir: '/oc/state/breaker' }, 'breakerDir', "must not be in OpenClaw's state folder /oc/state"],
    ['the breaker folder OpenClaw\'s state itself', { ...good(), breakerDir: '/oc/state' }, 'breakerDir', "must not be in OpenClaw's state folder /oc/state"],
    ['the access log relative', { ...good(), egressAccessLog: 'access.log' }, 'egressAccessLog', 'expected an absolute, normalized path'],
  ])('refused: %s', (_name, doc, where, what) => {
    expect(refusal(doc)).toBe(msg(where, what));
  });

  test('a breaker folder beside OpenClaw\'s state, sharing its name\'s start, is accepted (a folder, not a prefix of the name)', () => {
    expect(checkManifest({ ...good(), breakerDir: '/oc/state-breaker' }, FILE).breakerDir).toBe('/oc/state-breaker');
    expect(checkManifest({ ...good(), stateFile: '/oc/state.json' }, FILE).stateFile).toBe('/oc/state.json');
  });
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
