/**
 * Renders the host files of one client x environment (nginx.conf, the
 * allowed-origins include, the nftables ruleset) and lists what it wrote.
 *   npm run render -- --client example --env prod --out /tmp/host
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError } from '../lib/config/errors';
import { loadConfig } from '../lib/config/load';
import { renderHostFiles, writeHostFiles } from '../lib/host/render';

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
  const written = writeHostFiles(out, renderHostFiles(config));
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
