/**
 * The viewer path of the fake deployment, for the edge request check: an
 * injected `http` that plays CloudFront (answers only for the distribution's
 * aliases and domain name, blocks when the WAF is set to block, adds the
 * origin-verify header and the viewer address, marks error answers with
 * `x-cache: Error from cloudfront`) in front of the REAL nginx running the
 * config rendered for the world's config (lib/host/render.ts) on loopback,
 * in front of one stand-in gateway per gateway of the config (on
 * edge.gatewayPort + n, as lib/openclaw/gateways.ts numbers them) answering
 * the gateway's liveness probe as the pinned OpenClaw does. Drift tests flip
 * `EdgePathState`.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type * as net from 'net';
import * as path from 'path';
import { ORIGIN_VERIFY_MAP_FILE, renderOriginVerifyMap } from '../../../lib/host/nginx-config';
import { NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../../lib/host/render';
import type { HttpAnswer, HttpRequester } from '../../../lib/verify/verify-context';
import { agentGateways } from '../../../lib/openclaw/gateways';
import { freePort, nginxTestPaths, requireTool, tempDir, waitForPort } from '../../host/support/host-tools';
import { freePortRun } from '../free-ports';
import { pseudoRandom } from '../pseudo-random';
import { cloudFrontState } from './cloudfront';
import type { FakeWorld } from './world';

export interface EdgePathState {
  /** The WAF blocks the request (CloudFront answers 403 itself). @default false */
  wafBlocks: boolean;
  /** The value CloudFront sends in the origin-verify header (the secret's value); nginx knows only the deployed one. */
  originVerifyValue: string;
  /**
   * The viewer's address CloudFront passes on (CloudFront-Viewer-Address),
   * which nginx's rate limiter keys on. Tests that run `npm run verify` many
   * times in a second (real runs are minutes apart, and nginx's limiter counts
   * real time) give each run its own address with `nextViewer()`.
   * @default 198.51.100.7
   */
  viewerAddress: string;
}

export interface EdgePath {
  /** The `http` to inject in the VerifyContext: the fake CloudFront. */
  readonly http: HttpRequester;
  /** What the fake CloudFront does; drift tests change it. */
  readonly state: EdgePathState;
  /** The value the host's nginx accepts (the deployed secret). */
  readonly deployedOriginVerify: string;
  /** Gives the following requests a new viewer address (TEST-NET-2 198.51.100.0/24): a fresh rate-limit key, as a later verify run would find. */
  nextViewer(): void;
  /** Stops or starts the stand-in gateway at offset `n` from edge.gatewayPort, or all of them without `n` (stopped: nginx answers 502 on its path). */
  setGatewayUp(up: boolean, n?: number): Promise<void>;
  /** Stops nginx and the stand-in gateway and removes their folder (afterAll). */
  stop(): Promise<void>;
}

/** The pinned OpenClaw gateway's answer to an unauthenticated remote GET /healthz. */
function startGateway(port: number, sockets: Set<net.Socket>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify({ ok: true, status: 'live' }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Not Found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function get(port: number, pathname: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: 'GET', headers, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const h: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error('origin timed out')));
    req.on('error', reject);
    req.end();
  });
}

const cloudFrontError = (status: number, body: string): HttpAnswer => ({ status, headers: { 'x-cache': 'Error from cloudfront', server: 'CloudFront', 'content-type': 'text/html' }, body });

export async function startEdgePath(world: FakeWorld): Promise<EdgePath> {
  const nginxBin = requireTool('nginx');
  const count = agentGateways(world.config).length;
  const [proxyPort, gatewayPort] = [await freePort(), await freePortRun(count)];
  const config = { ...world.config, edge: { ...world.config.edge, proxyPort, gatewayPort } };
  const distribution = [...cloudFrontState(world).values()][0]!;
  const dir = tempDir('oc-edge-path-');
  const includeDir = path.join(dir, 'nginx', 'openclaw');
  writeHostFiles(dir, renderHostFiles(config, { nginx: { ...nginxTestPaths(dir, includeDir), listenAddress: '127.0.0.1', workerProcesses: 1 }, extraAllowedOrigins: [`https://${distribution.domainName}`] }));
  fs.mkdirSync(path.join(dir, 'tmp'));
  const deployed = pseudoRandom(48, 1401);
  fs.writeFileSync(path.join(includeDir, ORIGIN_VERIFY_MAP_FILE), renderOriginVerifyMap(deployed), { mode: 0o600 });

  const sockets = new Set<net.Socket>();
  const gateways: (http.Server | undefined)[] = [];
  for (let n = 0; n < count; n++) gateways.push(await startGateway(gatewayPort + n, sockets));
  let exited = false;
  let stderr = '';
  const nginx: ChildProcess = spawn(nginxBin, ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, NGINX_CONF_PATH), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  nginx.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  nginx.on('exit', () => (exited = true));
  await waitForPort(proxyPort, '127.0.0.1', 5_000, () => !exited).catch((e: Error) => {
    throw new Error(`nginx did not start: ${e.message}\n${stderr}`);
  });

  const state: EdgePathState = { wafBlocks: false, originVerifyValue: deployed, viewerAddress: '198.51.100.7' };
  let viewers = 7;
  const closeGateway = (n: number) =>
    new Promise<void>((resolve) => {
      const gateway = gateways[n];
      sockets.forEach((s) => s.destroy());
      if (gateway) gateway.close(() => resolve());
      else resolve();
      gateways[n] = undefined;
    });
  const offsets = (n?: number) => (n === undefined ? [...gateways.keys()] : [n]);

  const cloudFront: HttpRequester = async (url, init) => {
    const u = new URL(url);
    const d = cloudFrontState(world);
    const dist = [...d.values()].find((x) => x.domainName === u.hostname || (x.config.Aliases?.Items ?? []).includes(u.hostname));
    if (u.protocol !== 'https:' || !dist) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${u.hostname}`), { code: 'ENOTFOUND' });
    if ((init?.method ?? 'GET') !== 'GET') throw new Error('the fake CloudFront forwards GET only');
    if (state.wafBlocks) return cloudFrontError(403, '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1><p>Request blocked.</p></body></html>');
    const header = dist.config.Origins?.Items?.[0]?.CustomHeaders?.Items?.[0]?.HeaderName;
    if (!header) throw new Error('the distribution has no origin custom header');
    let origin: HttpAnswer;
    try {
      origin = await get(proxyPort, `${u.pathname}${u.search}`, { [header]: state.originVerifyValue, 'CloudFront-Viewer-Address': `${state.viewerAddress}:51234`, Host: u.hostname });
    } catch {
      return cloudFrontError(502, '<html><body><h1>502 Bad Gateway</h1><p>CloudFront wasn\'t able to connect to the origin.</p></body></html>');
    }
    const headers = { ...origin.headers, 'x-cache': origin.status >= 400 ? 'Error from cloudfront' : 'Miss from cloudfront', via: '1.1 fake.cloudfront.net (CloudFront)' };
    return { ...origin, headers };
  };

  return {
    http: cloudFront,
    state,
    deployedOriginVerify: deployed,
    nextViewer: () => {
      viewers = viewers >= 254 ? 1 : viewers + 1;
      state.viewerAddress = `198.51.100.${viewers}`;
    },
    setGatewayUp: async (up, n) => {
      for (const i of offsets(n)) {
        if (up && !gateways[i]) gateways[i] = await startGateway(gatewayPort + i, sockets);
        if (!up) await closeGateway(i);
      }
    },
    stop: async () => {
      if (!exited) {
        const done = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
        nginx.kill('SIGTERM');
        const timer = setTimeout(() => nginx.kill('SIGKILL'), 5_000);
        await done;
        clearTimeout(timer);
      }
      for (const i of offsets()) await closeGateway(i);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
