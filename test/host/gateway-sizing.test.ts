import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/errors';
import { loadDeploymentConfig } from '../../lib/config/load';
import {
  DEFAULT_INSTANCE_TYPES,
  GATEWAY_HEAP_ARG,
  GATEWAY_HEAP_MIB,
  GATEWAY_MEMORY_MAX,
  GATEWAY_MEMORY_MAX_MIB,
  HOST_OVERHEAD_MIB,
  HOST_OVERHEAD_PARTS,
  defaultInstanceType,
  gatewayInstanceType,
  instanceFits,
  requiredMemoryMiB,
} from '../../lib/host/gateway-sizing';
import { GATEWAY_EXEC_START, gatewayMemoryProblems } from '../../lib/host/gateway-memory-check';
import { renderSystemdFiles } from '../../lib/host/systemd-units';
import { agentGateways } from '../../lib/openclaw/gateways';
import { gatewayUnitProblems } from '../../lib/host/unit-sandbox';
import { HOST_PATHS } from '../../lib/host/paths';
import { CONFIG_DIR, configFixture, NOW } from '../support/config-fixture';
import { exampleConfig } from './support/host-tools';

// lib/host/gateway-sizing.ts: the memory cap and heap limit per gateway, the host's own
// memory, the default instance per gateway count; the validator of a set instance.type;
// the memory lines of the rendered gateway unit (lib/host/gateway-memory-check.ts).

test('the cap, the heap limit and the host overhead, as measured and reasoned (docs/cost.md)', () => {
  expect([GATEWAY_MEMORY_MAX_MIB, GATEWAY_HEAP_MIB, HOST_OVERHEAD_MIB]).toEqual([1024, 512, 768]);
  expect(HOST_OVERHEAD_PARTS.map((p) => [p.what, p.mib])).toEqual([
    ['kernel, its reservations and page tables', 192],
    ['systemd, journald, udevd, dbus, chronyd, auditd, the nftables service', 96],
    ['amazon-ssm-agent and its worker', 64],
    ['CloudWatch agent (logs and metrics)', 96],
    ['nginx (master and one worker per vCPU)', 24],
    ["squid (the egress proxy, all gateways' ports)", 48],
    ["the host's Node programs (spend meter, health check, secrets at boot)", 96],
    ['page cache left to the host (logs being shipped, binaries)', 152],
  ]);
  expect([GATEWAY_MEMORY_MAX, GATEWAY_HEAP_ARG]).toEqual(['1024M', '--max-old-space-size=512']);
});

test('the default instance for 1 to 16 gateways: the smallest t4g that holds 768 MiB + 1024 MiB each', () => {
  const table = Array.from({ length: 16 }, (_, i) => [i + 1, requiredMemoryMiB(i + 1), defaultInstanceType(i + 1)]);
  expect(table).toEqual([
    [1, 1792, 't4g.small'],
    [2, 2816, 't4g.medium'],
    [3, 3840, 't4g.medium'],
    [4, 4864, 't4g.large'],
    [5, 5888, 't4g.large'],
    [6, 6912, 't4g.large'],
    [7, 7936, 't4g.large'],
    [8, 8960, 't4g.xlarge'],
    [9, 9984, 't4g.xlarge'],
    [10, 11008, 't4g.xlarge'],
    [11, 12032, 't4g.xlarge'],
    [12, 13056, 't4g.xlarge'],
    [13, 14080, 't4g.xlarge'],
    [14, 15104, 't4g.xlarge'],
    [15, 16128, 't4g.xlarge'],
    [16, 17152, 't4g.2xlarge'],
  ]);
  expect(DEFAULT_INSTANCE_TYPES).toEqual(['t4g.small', 't4g.medium', 't4g.large', 't4g.xlarge', 't4g.2xlarge']);
  // At each step the next smaller size would not hold them.
  expect([instanceFits('t4g.small', 2), instanceFits('t4g.medium', 4), instanceFits('t4g.large', 8), instanceFits('t4g.xlarge', 16)]).toEqual([false, false, false, false]);
  expect(instanceFits('m8g.large', 1)).toBe(false); // unknown memory never fits
  expect(() => defaultInstanceType(0)).toThrow('gateway count must be a whole number of at least 1, not 0');
  expect(() => defaultInstanceType(32)).toThrow('no t4g size holds 32 gateways (33536 MiB); the largest, t4g.2xlarge, has 32768 MiB');
});

test('the example (two agents, two gateways) gets t4g.medium; a set instance.type is taken as set', () => {
  const config = exampleConfig('dev');
  expect(config.instance.type).toBeUndefined();
  expect(gatewayInstanceType(config)).toBe('t4g.medium');
  expect(gatewayInstanceType({ ...config, instance: { ...config.instance, type: 'm7g.large' } })).toBe('m7g.large');
  const one = { ...config, openclaw: { ...config.openclaw, agents: { support: config.openclaw.agents.support! } } };
  expect(gatewayInstanceType(one)).toBe('t4g.small');
});

describe('a set instance.type too small for the gateways is a config error at its file and line', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const load = (devYaml: string) => {
    const root = configFixture({ 'clients/example/dev.yaml': devYaml });
    roots.push(root);
    try {
      loadDeploymentConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'example', env: 'dev' });
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    return 'loaded';
  };

  test('t4g.small for the example\'s two gateways', () => {
    expect(load('# dev\ninstance:\n  type: t4g.small\n')).toBe(
      'Invalid configuration (1 problem):\n' +
        '  - config/clients/example/dev.yaml:3: instance.type: "t4g.small" has 2048 MiB of memory; 2 gateways (one per agent) need 2816 MiB ' +
        '(2 x 1024 MiB MemoryMax + 768 MiB for the host). Expected a type with at least 2816 MiB, such as t4g.medium, or leave instance.type out',
    );
  });

  test('a type of unknown memory', () => {
    expect(load('instance:\n  type: m8g.large\n')).toContain(
      'config/clients/example/dev.yaml:2: instance.type: "m8g.large": its memory is not known here, so the host cannot be checked to hold its 2 gateways. Expected one of t4g.nano, t4g.micro, t4g.small,',
    );
  });

  test('a type that holds them, and no type at all, load', () => {
    expect(load('instance:\n  type: t4g.medium\n')).toBe('loaded');
    expect(load('instance:\n  type: c7g.large\n')).toBe('loaded');
    expect(load('# nothing\n')).toBe('loaded');
  });
});

describe('the rendered gateway unit carries the cap and the heap limit', () => {
  const prod = exampleConfig('prod');
  const gateway = agentGateways(prod)[0]!;
  const unit = renderSystemdFiles(prod, CONFIG_DIR)[`systemd/${gateway.unit}`]!;
  const lines = unit.split('\n');

  test('MemoryMax=1024M, MemorySwapMax=0, and node --max-old-space-size=512 before the entry script', () => {
    expect(lines.filter((l) => /^(MemoryMax|MemorySwapMax|MemoryHigh|ExecStart)=/.test(l))).toEqual([
      'ExecStart=' + `${HOST_PATHS.node} --max-old-space-size=512 ${HOST_PATHS.openclawBin} gateway run`,
      'MemoryMax=1024M',
      'MemorySwapMax=0',
    ]);
    expect(GATEWAY_EXEC_START).toBe(`${HOST_PATHS.node} --max-old-space-size=512 ${HOST_PATHS.openclawBin} gateway run`);
    expect(gatewayMemoryProblems(unit)).toEqual([]);
  });

  test.each([
    ['MemoryMax=1024M', '', 'MemoryMax=1024M missing (is unset): the host is sized for that cap per gateway'],
    ['MemoryMax=1024M', 'MemoryMax=infinity', 'MemoryMax=1024M missing (is infinity): the host is sized for that cap per gateway'],
    ['MemoryMax=1024M', 'MemoryMax=2G', 'MemoryMax=1024M missing (is 2G): the host is sized for that cap per gateway'],
    ['MemorySwapMax=0', '', "MemorySwapMax=0 missing (is unset): the cap is memory, and the gateway's secrets never go to swap"],
    [
      `ExecStart=${GATEWAY_EXEC_START}`,
      `ExecStart=${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run`,
      `ExecStart must be ${GATEWAY_EXEC_START} (the heap limit before the entry script; is ${HOST_PATHS.node} ${HOST_PATHS.openclawBin} gateway run)`,
    ],
    [
      `ExecStart=${GATEWAY_EXEC_START}`,
      `ExecStart=${HOST_PATHS.node} --max-old-space-size=4096 ${HOST_PATHS.openclawBin} gateway run`,
      `ExecStart must be ${GATEWAY_EXEC_START} (the heap limit before the entry script; is ${HOST_PATHS.node} --max-old-space-size=4096 ${HOST_PATHS.openclawBin} gateway run)`,
    ],
    [`ExecStart=${GATEWAY_EXEC_START}`, '', `ExecStart must be ${GATEWAY_EXEC_START} (the heap limit before the entry script; is unset)`],
  ])('%s -> %j: refused, by the check and by the sandbox check that rendering runs', (line, to, problem) => {
    expect(lines).toContain(line);
    const edited = lines.map((l) => (l === line ? to : l)).join('\n');
    expect(gatewayMemoryProblems(edited)).toEqual([problem]);
    expect(gatewayUnitProblems(edited, gateway)).toContain(problem);
  });
});
