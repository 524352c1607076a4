import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The gateway's way to the instance role credentials, for the IMDS netns test: the pinned Node 24
 * runs OpenClaw's own managed proxy (startProxy from the pinned OpenClaw's dist/proxy-lifecycle
 * module, with the proxy block openclaw.json carries: enabled, proxyUrl, loopbackMode
 * gateway-only), which installs Proxyline over node:http/https/undici and replaces NO_PROXY with
 * loopback only, then asks the AWS SDK's IMDS credential provider (@smithy/credential-provider-imds
 * fromInstanceMetadata: PUT /latest/api/token, GET the role, GET its credentials) for credentials,
 * as the SDK's default chain does on EC2. Nothing tells the SDK about the proxy: Proxyline routes it.
 */

/** What the SDK's provider returned, or how it failed. */
export interface SdkOutcome {
  /** Whether credentials came back. */
  ok: boolean;
  /** The access key id, on success. */
  accessKeyId?: string;
  /** The error message, on failure. */
  error?: string;
  /** NO_PROXY as OpenClaw's managed proxy left it. */
  noProxy?: string;
}

const RUNNER = `
const fs = require('fs'), path = require('path');
const [dist, imdsModule, proxyUrl] = process.argv.slice(1);
(async () => {
  let startProxy;
  for (const f of fs.readdirSync(dist).filter((n) => /^proxy-lifecycle-.*\\.mjs$/.test(n))) {
    const m = await import(path.join(dist, f));
    if (typeof m.startProxy === 'function') startProxy = m.startProxy;
  }
  if (!startProxy) throw new Error('no startProxy export in ' + dist + '/proxy-lifecycle-*.mjs');
  const handle = await startProxy({ enabled: true, proxyUrl, loopbackMode: 'gateway-only' });
  if (!handle) throw new Error('startProxy did not start');
  const { fromInstanceMetadata } = require(imdsModule);
  let out;
  try {
    const c = await fromInstanceMetadata({ timeout: 3000, maxRetries: 0 })();
    out = { ok: true, accessKeyId: c.accessKeyId };
  } catch (e) {
    out = { ok: false, error: String(e && e.message) };
  }
  out.noProxy = process.env.NO_PROXY;
  await handle.stop();
  console.log('RESULT ' + JSON.stringify(out));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(3); });
`;

/** The SDK's IMDS provider module as installed in the repo's node_modules. */
export function imdsProviderModule(): string {
  return require.resolve('@smithy/credential-provider-imds');
}

/**
 * Runs the runner as `argv` says (the command prefix that enters the host namespace as the
 * gateway's user), with `node` (the pinned Node 24), the OpenClaw package's `dist` folder, a
 * private HOME (the SDK reads ~/.aws/config) and `env` (the gateway unit's proxy variables).
 * Bounded: 30 s.
 */
export function credentialsThroughOpenclawProxy(
  argv: (cmd: string, args: readonly string[]) => [string, string[]],
  node: string,
  openclawCli: string,
  proxyUrl: string,
  home: string,
  env: Record<string, string>,
): SdkOutcome {
  const dist = path.join(path.dirname(fs.realpathSync(openclawCli)), 'dist');
  const r = spawnSync(...argv(node, ['-e', RUNNER, dist, imdsProviderModule(), proxyUrl]), {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...env, PATH: '/usr/bin:/bin', HOME: home },
  });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`IMDS SDK runner failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as SdkOutcome;
}
