import * as fs from 'fs';
import * as path from 'path';
import { exampleConfig, freePort, requireRoot } from '../host/support/host-tools';
import { privateTempDir, requireOpenclaw } from './support/openclaw';
import {
  BOOT_TIMEOUT,
  healthz,
  killGateway,
  probeArgs,
  runProbeProgram,
  startGateway,
  stopGateway,
  waitForOutput,
  writeProbeGateway,
  writeProbeProgram,
  type ProbeGateway,
  type ProbeRun,
} from './support/probe-gateway';

// The crash-loop breaker of the pinned OpenClaw, tripped for real, and what the bundled
// gateway-probe.js reports of it. The breaker (dist/gateway-boot-lifecycle-*.mjs) counts the
// boots of the last 5 minutes that never completed (gateway_boot_lifecycle rows without
// completed_at_ms: a process killed without its shutdown); at 3 the next boot suppresses channel
// autostart (dist/run-*.mjs: "gateway restart-loop breaker tripped: ..."; dist/server-channels-*.mjs
// stops each account with that text, skip reason "autostart-suppressed"). Here: the example's
// support gateway, its Telegram Bot API a loopback port that refuses connections, killed with
// SIGKILL once it listens (the boot is recorded before it listens), three times; the fourth boot
// comes up with Telegram silenced while /healthz answers 200. Its own gateway and state folder:
// the breaker's memory is the state database.

let root: string;
let g: ProbeGateway | undefined;
let program: string;
let identity: string;
/** The probe run on the first boot, before any unclean end. */
let normalBoot: ProbeRun;

const probe = () => runProbeProgram(program, probeArgs(g!, identity, ['--channels', 'support:telegram']));

beforeAll(async () => {
  requireRoot('the gateway probe breaker test');
  requireOpenclaw();
  root = privateTempDir('oc-probe-breaker-');
  const refused = `http://127.0.0.1:${await freePort()}`; // claimed for this process, nothing listens
  g = await writeProbeGateway(exampleConfig('dev'), path.join(root, 'gw'), refused);
  program = writeProbeProgram(root);
  fs.mkdirSync(path.join(root, 'probe'), { mode: 0o700 });
  identity = path.join(root, 'probe', `${g.gw.id}.json`);
  for (let boot = 1; boot <= 3; boot++) {
    await startGateway(g);
    if (boot === 1) {
      await waitForOutput(g, /\[telegram\] \[default\] starting provider/);
      normalBoot = await probe();
    }
    await killGateway(g);
  }
  await startGateway(g);
  await waitForOutput(g, /\[gateway\] ready/);
}, 4 * BOOT_TIMEOUT);

afterAll(async () => {
  await stopGateway(g);
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 30_000);

test('on a normal boot the same Telegram account (its API refusing) is not reported suppressed', () => {
  expect(normalBoot.json).toMatchObject({ usable: true, channels: [{ channel: 'telegram', account: 'default' }] });
  expect(normalBoot.json!.channels[0]!.state).not.toBe('suppressed');
});

test(
  'after 3 unclean boots in 5 minutes: the Telegram account reported suppressed by the crash-loop breaker, with the gateway\'s reason; the gateway stays usable, /healthz 200',
  async () => {
    expect(g!.output).toMatch(/restart-loop breaker tripped: 3 unclean boot\(s\) within 300000ms/);
    // The channels start a moment after "ready".
    let r = await probe();
    for (let i = 0; i < 20 && r.json?.channels[0]?.state !== 'suppressed'; i++) {
      await new Promise((res) => setTimeout(res, 500));
      r = await probe();
    }
    expect(r.code).toBe(0);
    expect(r.json).toEqual({
      gateway: 'support',
      usable: true,
      reason: null,
      latencyMs: expect.any(Number),
      connectMs: expect.any(Number),
      channels: [{ channel: 'telegram', account: 'default', running: false, state: 'suppressed', reason: expect.stringMatching(/^gateway restart-loop breaker tripped: 3 unclean boot\(s\) within 300000ms; suppressing channel/) }],
    });
    expect(await healthz(g!)).toBe(200);
  },
  120_000,
);
