/**
 * Prints the merged, validated config of one client x environment, each value
 * annotated with the file (and line) it came from.
 *   npm run config -- --client example --env prod
 */
import * as path from 'path';
import { parseArgs } from 'util';
import { isMap, isPair, isScalar, isSeq, Document, type Node } from 'yaml';
import { ConfigError } from '../lib/config/errors';
import { formatPath, type KeyPath } from '../lib/config/key-path';
import { DERIVED_KEYS, loadConfig } from '../lib/config/load';
import { originOf, type MergedConfig } from '../lib/config/merge';

const { values } = parseArgs({
  options: {
    client: { type: 'string', default: 'example' },
    env: { type: 'string', default: 'dev' },
    'config-dir': { type: 'string', default: path.resolve(__dirname, '..', 'config') },
  },
});

/** Puts "# <file>:<line>" after every scalar, so each value shows where it was set ("(derived: ...)" for what the loader derives). */
function annotate(node: Node | null | undefined, path: KeyPath, merged: MergedConfig) {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) if (isPair(pair) && isScalar(pair.key)) annotate(pair.value as Node, [...path, String(pair.key.value)], merged);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => annotate(item as Node, [...path, i], merged));
  }
  const empty = (isMap(node) || isSeq(node)) && node.items.length === 0;
  if (empty) node.flow = true;
  if (isScalar(node) || empty) {
    const o = originOf(merged, path);
    const derived = DERIVED_KEYS[formatPath(path)];
    node.comment = ` ${derived ? `(${derived})` : o ? `${o.file}${o.line ? `:${o.line}` : ''}` : '(default)'}`;
  }
}

try {
  const loaded = loadConfig({ configDir: values['config-dir'], client: values.client, env: values.env, now: new Date() });
  const { client, env, ...config } = loaded.config;
  const doc = new Document(config);
  annotate(doc.contents as Node, [], loaded.merged);
  console.log(`# ${client} / ${env}: merged from ${loaded.files.join(' < ')}`);
  console.log(doc.toString({ lineWidth: 0 }).trimEnd());
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
