/**
 * Writes the synthesized template of every stack of every topology the tests
 * deploy (config/clients/* plus test/fixtures/topologies) into a folder, one
 * `<stage>/<stack>.json` each, asset hashes included. Run it at two commits and
 * `diff -r` the folders to see what a change does to the deployed templates:
 *   npm run templates:dump -- <out-dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { topologies } from '../test/support/topologies';

const out = process.argv[2];
if (!out) {
  console.error('usage: npm run templates:dump -- <out-dir>');
  process.exit(2);
}
for (const { stack, template } of topologies().stacks) {
  const file = path.join(out, stack.node.scope!.node.id, `${stack.node.id}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(template, null, 1)}\n`);
}
console.log(`wrote ${topologies().stacks.length} templates under ${out}`);
