// Snapshot serializer: masks asset hashes (64 hex chars) so snapshots change
// only when a template changes, not when an asset's content does.
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test: (v) => typeof v === 'string' && /[0-9a-f]{64}/.test(v),
  serialize: (v) => JSON.stringify(v.replace(HASH, '[ASSET-HASH]')),
};
