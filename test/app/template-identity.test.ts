import * as crypto from 'crypto';
import { topologies } from '../support/topologies';

// The deployed templates of every stack of every topology, pinned byte for byte
// (asset hashes, and so the host bundle and Lambda code, included). A refactor
// must leave this as it is; a deliberate change updates it with `jest -u` after
// reading the difference: `npm run templates:dump -- DIR` at both commits, then
// `diff -r`. Base64 (not hex), so the asset-hash mask leaves the digests alone.
test('every stack of every topology synthesizes to its pinned template digest', () => {
  const digests = Object.fromEntries(
    topologies().stacks.map(({ stack, template }) => [
      `${stack.node.scope!.node.id}/${stack.node.id}`,
      crypto.createHash('sha256').update(JSON.stringify(template)).digest('base64'),
    ]),
  );
  expect(Object.keys(digests)).toHaveLength(60);
  expect(digests).toMatchSnapshot();
});
