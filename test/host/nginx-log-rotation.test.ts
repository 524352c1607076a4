/**
 * nginx's size-based log rotation (lib/host/nginx-log-rotation.ts): the rendered logrotate
 * configuration, pinned, then run by the real logrotate against a real nginx on loopback. The
 * size is scaled down in the run (50M -> 64k, the only substitution) so the test writes
 * kilobytes, not gigabytes; everything else is the rendered text.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { nginxLogFiles, renderOriginVerifyMap } from '../../lib/host/nginx-config';
import { NGINX_LOG_GENERATIONS, NGINX_LOG_ROTATE_SIZE_MIB, renderNginxLogRotation } from '../../lib/host/nginx-log-rotation';
import { NGINX_LOG_ROTATION_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { exampleConfig, freePort, nginxTestPaths, requireTool, tempDir, waitForPort } from './support/host-tools';
import { findTool } from '../support/find-tool';
import { freePortRun } from '../support/free-ports';

test('the rendered configuration, exactly: by size, 4 generations, compressed after one, nginx told to reopen', () => {
  expect(renderNginxLogRotation(nginxLogFiles())).toBe(
    [
      "# /etc/logrotate.d/nginx: nginx's logs rotated by size (lib/host/nginx-log-rotation.ts); do not edit.",
      "# Run every minute by openclaw-nginx-rotate.timer, and daily by the system's logrotate.",
      '# At most: the live log, one plain and 3 compressed generations of about 50 MiB each.',
      '/var/log/nginx/access.log /var/log/nginx/error.log {',
      '    size 50M',
      '    rotate 4',
      '    missingok',
      '    notifempty',
      '    nodateext',
      '    nocreate',
      '    compress',
      '    delaycompress',
      '    sharedscripts',
      '    postrotate',
      '        [ ! -s /run/nginx.pid ] || kill -USR1 "$(cat /run/nginx.pid)"',
      '    endscript',
      '}',
      '',
    ].join('\n'),
  );
  // The host render puts it where install-bundle.sh takes it from.
  expect(renderHostFiles(exampleConfig('prod'))[NGINX_LOG_ROTATION_BUNDLE_PATH]).toBe(renderNginxLogRotation(nginxLogFiles()));
});

test('refuses paths that would inject logrotate syntax, and an empty list', () => {
  expect(() => renderNginxLogRotation({ logs: ['/var/log/nginx/access.log {'], pidFile: '/run/nginx.pid' })).toThrow(
    new Error('nginx log rotation: invalid path "/var/log/nginx/access.log {" (an absolute path of [A-Za-z0-9_-./])'),
  );
  expect(() => renderNginxLogRotation({ logs: ['/var/log/x'], pidFile: 'run/nginx.pid' })).toThrow(/invalid path "run\/nginx.pid"/);
  expect(() => renderNginxLogRotation({ logs: [], pidFile: '/run/nginx.pid' })).toThrow(new Error('nginx log rotation: no log to rotate'));
});

describe('the real logrotate with the real nginx', () => {
  const SCALED_SIZE = 64 * 1024;
  const VERIFY = 'v'.repeat(40);
  let dir: string;
  let nginx: ChildProcess;
  let port: number;
  let conf: string;
  let logrotate: string;
  const access = () => path.join(dir, 'access.log');

  beforeAll(async () => {
    logrotate = findTool('logrotate', 'install it with .ci/install-host-tools.sh (as root), as .ci/run does');
    dir = tempDir('oc-logrotate-');
    port = await freePort();
    const base = exampleConfig('dev');
    // The gateways' ports are claimed and left closed: every proxied request gets 502.
    const config = { ...base, edge: { ...base.edge, proxyPort: port, gatewayPort: await freePortRun(2) } };
    const paths = nginxTestPaths(dir, path.join(dir, 'nginx', 'openclaw'));
    const files = renderHostFiles(config, { nginx: { ...paths, listenAddress: '127.0.0.1', workerProcesses: 1 } });
    writeHostFiles(dir, files);
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'nginx', 'openclaw', 'origin-verify.map.conf'), renderOriginVerifyMap(VERIFY));
    const rendered = files[NGINX_LOG_ROTATION_BUNDLE_PATH]!;
    expect(rendered).toContain(`    size ${NGINX_LOG_ROTATE_SIZE_MIB}M\n`);
    conf = path.join(dir, 'logrotate.conf');
    // logrotate refuses a configuration that group or others may write.
    fs.writeFileSync(conf, rendered.replace(`size ${NGINX_LOG_ROTATE_SIZE_MIB}M`, `size ${SCALED_SIZE / 1024}k`), { mode: 0o644 });
    nginx = spawn(requireTool('nginx'), ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, NGINX_CONF_PATH), '-g', 'daemon off;'], { stdio: 'ignore' });
    await waitForPort(port, '127.0.0.1', 5_000);
  }, 20_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A request to a gateway that does not run: 502, always logged (a refusal could be left out by the sampling). */
  const request = (p: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/agents/ops${p}`, agent: false, timeout: 5_000, headers: { 'x-origin-verify': VERIFY } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  const rotate = () => {
    const r = spawnSync(logrotate, ['-s', path.join(dir, 'logrotate.state'), conf], { encoding: 'utf8', timeout: 15_000 });
    expect([r.status, r.stderr]).toEqual([0, '']);
  };
  const generations = () => fs.readdirSync(dir).filter((f) => /^access\.log\.\d+(\.gz)?$/.test(f)).sort();
  /** Grows the live access log past the scaled size, as a flood would (nginx appends after our bytes). */
  const flood = (marker: string) => fs.appendFileSync(access(), `${JSON.stringify({ flood: marker, pad: 'x'.repeat(200) })}\n`.repeat(Math.ceil(SCALED_SIZE / 220) + 10));
  const waitFor = async (what: () => boolean) => {
    for (let i = 0; i < 50 && !what(); i++) await new Promise((r) => setTimeout(r, 100));
    return what();
  };

  test('a log under the size is left alone', async () => {
    await request('/nowhere-1');
    rotate();
    expect(generations()).toEqual([]);
  });

  test('over the size it is rotated and nginx writes its next lines to a new access.log', async () => {
    flood('one');
    rotate();
    expect(generations()).toEqual(['access.log.1']);
    expect(fs.readFileSync(path.join(dir, 'access.log.1'), 'utf8')).toContain('"flood":"one"');
    // nginx reopened its logs on USR1: the next request lands in the new file, not the renamed one.
    const before = fs.statSync(path.join(dir, 'access.log.1')).size;
    await request('/after-rotation');
    expect(await waitFor(() => fs.existsSync(access()) && fs.readFileSync(access(), 'utf8').includes('"uri":"/agents/ops/after-rotation"'))).toBe(true);
    expect(fs.statSync(path.join(dir, 'access.log.1')).size).toBe(before);
  });

  test(`the disk use is bounded: after many floods, ${NGINX_LOG_GENERATIONS} generations, all but the newest compressed`, async () => {
    for (let round = 0; round < NGINX_LOG_GENERATIONS + 3; round++) {
      flood(`round-${round}`);
      rotate();
      await request(`/round-${round}`);
    }
    expect(generations()).toEqual(['access.log.1', ...Array.from({ length: NGINX_LOG_GENERATIONS - 1 }, (_, i) => `access.log.${i + 2}.gz`)]);
    const total = fs.readdirSync(dir).filter((f) => f.startsWith('access.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    // The live log (under the size after a rotation), one plain generation and three compressed ones.
    expect(total).toBeLessThan(3 * SCALED_SIZE);
    // The oldest rounds are gone: nothing is kept beyond the generations.
    const kept = spawnSync('sh', ['-c', `cat ${dir}/access.log ${dir}/access.log.1; zcat ${dir}/access.log.*.gz`], { encoding: 'utf8' }).stdout;
    expect(kept).not.toContain('"flood":"round-0"');
    expect(kept).toContain(`"flood":"round-${NGINX_LOG_GENERATIONS + 2}"`);
  });
});
