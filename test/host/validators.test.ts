import * as fs from 'fs';
import * as path from 'path';
import { renderOriginVerifyMap, ORIGIN_VERIFY_MAP_FILE } from '../../lib/host/nginx-config';
import { NFTABLES_PATH, NGINX_CONF_PATH, renderHostFiles, writeHostFiles } from '../../lib/host/render';
import { loadConfig } from '../../lib/config/load';
import { configFixture, NOW } from '../support/config-fixture';
import { pseudoRandom } from '../support/pseudo-random';
import { allConfigs, nginxTestPaths, requireRoot, requireTool, run, tempDir } from './support/host-tools';

// The rendered files of every client x environment, checked by the real tools:
// `nginx -t` (with the boot-written include files in place) and `nft -c -f`.
// Besides the repo's clients, one fixture client sets what the example leaves
// empty: a custom domain, allowed origins, other ports and a /24 VPC.
const fixtureRoot = configFixture({
  'clients/acme/client.yaml': [
    'aws:',
    '  account: "123456789012"',
    '  region: eu-central-1',
    'network:',
    '  vpcCidr: 192.168.10.0/24',
    'edge:',
    '  proxyPort: 9443',
    '  gatewayPort: 28789',
    '  customDomain:',
    '    domainName: agents.acme.example',
    '    certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/0b6c4a4e-2f3a-4c55-9d39-6f1e2a3b4c5d',
    '  allowedOrigins: [https://app.acme.example, "https://admin.acme.example:8443"]',
    '  originVerifyHeader: x-acme-edge-check',
    // One agent (a gateway to route to); named like the example's, whose user exists where the tests run (nft resolves it).
    'openclaw:',
    '  agents:',
    '    support:',
    '      description: Answers questions.',
    '      provider: anthropic',
    '      model: claude-sonnet-4-6',
    '',
  ].join('\n'),
  'clients/acme/agents/support/SOUL.md': 'Be kind.\n',
  'clients/acme/agents/support/AGENTS.md': 'Answer questions.\n',
});
const CONFIGS = [
  ...allConfigs(),
  loadConfig({ configDir: path.join(fixtureRoot, 'config'), client: 'acme', env: 'prod', now: NOW }).config,
];
const ids = CONFIGS.map((c) => `${c.client}/${c.env}`);
const dirs: string[] = [];
afterAll(() => [fixtureRoot, ...dirs].forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Renders into a temp prefix laid out like /etc, with the boot step's include files written. */
function renderForCheck(index: number, withOriginVerifyMap = true) {
  const config = CONFIGS[index]!;
  const dir = tempDir('oc-host-check-');
  dirs.push(dir);
  const includeDir = path.join(dir, 'nginx', 'openclaw');
  const files = renderHostFiles(config, {
    nginx: nginxTestPaths(dir, includeDir),
    extraAllowedOrigins: ['https://d111111abcdef8.cloudfront.net'],
  });
  writeHostFiles(dir, files);
  fs.mkdirSync(path.join(dir, 'tmp')); // exists on the instance (/var/lib/nginx/tmp, from the nginx package)
  if (withOriginVerifyMap) {
    fs.writeFileSync(path.join(includeDir, ORIGIN_VERIFY_MAP_FILE), renderOriginVerifyMap(pseudoRandom(48, 11), pseudoRandom(48, 12)), { mode: 0o600 });
  }
  return { dir, nginxConf: path.join(dir, NGINX_CONF_PATH), nft: path.join(dir, NFTABLES_PATH) };
}

describe('nginx -t accepts the rendered nginx.conf', () => {
  let nginx: string;
  beforeAll(() => {
    nginx = requireTool('nginx');
  });

  test.each(ids.map((id, i) => [id, i] as const))('%s', (_id, i) => {
    const { dir, nginxConf } = renderForCheck(i);
    const r = run(nginx, ['-t', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', nginxConf]);
    expect(r.stderr).toContain('test is successful');
    expect(r.status).toBe(0);
  });

  test('without the boot-written origin-verify map, nginx refuses to start (fail closed)', () => {
    const { dir, nginxConf } = renderForCheck(0, false);
    const r = run(nginx, ['-t', '-p', dir, '-e', path.join(dir, 'error.log'), '-c', nginxConf]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(ORIGIN_VERIFY_MAP_FILE);
  });
});

describe('nft -c -f accepts the rendered ruleset', () => {
  let nft: string;
  beforeAll(() => {
    nft = requireTool('nft');
    requireRoot('nft -c');
  });

  test.each(ids.map((id, i) => [id, i] as const))('%s', (_id, i) => {
    const { nft: file } = renderForCheck(i);
    const r = run(nft, ['-c', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
