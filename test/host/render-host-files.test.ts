import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nginxLogFiles, renderAllowedOriginsMap, renderNginxConfig } from '../../lib/host/nginx-config';
import { renderNginxLogRotation } from '../../lib/host/nginx-log-rotation';
import { renderNftablesRules } from '../../lib/host/nftables-rules';
import { ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH, NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { EGRESS_PROXY_BUNDLE_PATH, NGINX_LOG_ROTATION_BUNDLE_PATH } from '../../lib/host/bundle-layout';
import { renderEgressProxyConfig } from '../../lib/host/egress-proxy';
import { exampleConfig } from './support/host-tools';

// lib/host/render.ts on its own, fast: which host files are rendered, from what, with which
// options, and how they are written out. The renderers themselves: test/host/render.test.ts.

const config = exampleConfig('prod');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'oc-render-'));

test('the bundle paths of the host files, exactly', () => {
  expect([NGINX_CONF_PATH, ALLOWED_ORIGINS_MAP_PATH, NFTABLES_PATH, EGRESS_PROXY_BUNDLE_PATH]).toEqual([
    'nginx/nginx.conf',
    'nginx/openclaw/allowed-origins.map.conf',
    'nftables/openclaw.nft',
    'squid/squid.conf',
  ]);
});

test('nginx.conf, an empty allowed-origins map, nginx\'s log rotation and the ruleset by default', () => {
  expect(renderHostFiles(config)).toEqual({
    [NGINX_CONF_PATH]: renderNginxConfig(config),
    [ALLOWED_ORIGINS_MAP_PATH]: renderAllowedOriginsMap([]),
    [NGINX_LOG_ROTATION_BUNDLE_PATH]: renderNginxLogRotation(nginxLogFiles()),
    [NFTABLES_PATH]: renderNftablesRules(config),
    [EGRESS_PROXY_BUNDLE_PATH]: renderEgressProxyConfig(config),
  });
});

test('the nginx options and the extra origins given are used', () => {
  const files = renderHostFiles(config, { nginx: { listenAddress: '127.0.0.1', pidFile: '/tmp/n.pid' }, extraAllowedOrigins: ['https://a.example.com'] });
  expect(files[NGINX_CONF_PATH]).toBe(renderNginxConfig(config, { listenAddress: '127.0.0.1', pidFile: '/tmp/n.pid' }));
  expect(files[NGINX_CONF_PATH]).not.toBe(renderNginxConfig(config));
  expect(files[ALLOWED_ORIGINS_MAP_PATH]).toBe(renderAllowedOriginsMap(['https://a.example.com']));
  expect(files[ALLOWED_ORIGINS_MAP_PATH]).toContain('"https://a.example.com" 1;');
});

describe('writeHostFiles', () => {
  test('writes each file under the folder, folders created, mode 0644, byte for byte; returns the paths in order', () => {
    const dir = tmp();
    const old = process.umask(0);
    try {
      const written = writeHostFiles(dir, { 'a/b/c.conf': 'one\n', 'd.bin': Buffer.from([0, 255, 10]) });
      expect(written).toEqual([path.join(dir, 'a/b/c.conf'), path.join(dir, 'd.bin')]);
      expect(fs.readFileSync(written[0]!, 'utf8')).toBe('one\n');
      expect(fs.readFileSync(written[1]!)).toEqual(Buffer.from([0, 255, 10]));
      expect(fs.statSync(written[0]!).mode & 0o777).toBe(0o644);
    } finally {
      process.umask(old);
    }
  });

  // Never a real system path: this runs as root, and a mutant (or a regression) that drops the
  // check would write it. The absolute path points into a folder of the test's own.
  const outside = tmp();
  test.each(['../escape.conf', 'a/../../escape.conf', 'a\\..\\escape.conf', path.join(outside, 'victim.conf')])('refuses %s: it would leave the output folder', (rel) => {
    const dir = tmp();
    expect(() => writeHostFiles(dir, { [rel]: 'x' })).toThrow(new Error(`host file path must stay inside the output folder: ${rel}`));
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  test('a name that only contains dots is not a parent folder', () => {
    const dir = tmp();
    expect(writeHostFiles(dir, { 'a/..b/c..': 'x' })).toEqual([path.join(dir, 'a/..b/c..')]);
  });
});
