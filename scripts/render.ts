/**
 * Renders everything that goes on the gateway host of one client x
 * environment, exactly as the deployment bundle carries it (nginx, nftables,
 * openclaw.json and its includes, systemd units, scripts, the pinned
 * lockfile, agent files and their manifest), plus the cloud-init user data,
 * and lists what it wrote.
 *   npm run render -- --client example --env prod --out /tmp/host
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { NO_EDGE_DOMAIN, PLACEHOLDER_BUNDLE, PLACEHOLDER_STATE_VOLUME, USER_DATA_PATH, renderUserData } from '../lib/host/cloud-init';
import { writeHostFiles } from '../lib/host/render';
import { assembleBundleFiles } from '../lib/host/runtime-files';

const { values } = parseArgs({
  options: {
    client: { type: 'string', default: 'example' },
    env: { type: 'string', default: 'dev' },
    out: { type: 'string' },
    'config-dir': { type: 'string', default: path.resolve(__dirname, '..', 'config') },
  },
});

try {
  const { config, files } = loadConfig({ configDir: values['config-dir'], client: values.client, env: values.env, now: new Date() });
  const out = path.resolve(values.out ?? path.join('cdk.out', `host-${config.client}-${config.env}`));
  const domain = config.edge.customDomain?.domainName;
  const written = writeHostFiles(out, {
    ...assembleBundleFiles(config, values['config-dir']),
    // The bundle location and its SHA-256 are only known at synth.
    [USER_DATA_PATH]: renderUserData(config, PLACEHOLDER_BUNDLE, domain ? { cloudFrontDomain: domain } : NO_EDGE_DOMAIN, PLACEHOLDER_STATE_VOLUME),
  });
  console.log(`# ${config.client} / ${config.env}: host files from ${files.join(' < ')}`);
  const shown = (file: string) => (file.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), file) : file);
  for (const file of written) console.log(`wrote ${shown(file)}`);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
