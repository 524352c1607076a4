import { z } from 'zod';
import { isPlainObject } from './key-path';
import { configSchema } from './schema';

type JsonSchema = Record<string, unknown>;

/** Removes `required` everywhere: an overlay sets only the keys it changes. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (!isPlainObject(node)) return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'required') out[k] = withoutRequired(v);
  return out;
}

/** JSON Schema of the fully merged config (every key required). */
export function mergedConfigJsonSchema(): JsonSchema {
  return z.toJSONSchema(configSchema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
}

/**
 * JSON Schema for one overlay file, for editors: same keys, types and
 * descriptions as the merged config, unknown keys rejected, nothing required.
 * Committed as config/schema.json; a test fails when it is stale.
 */
export function overlayJsonSchema(): JsonSchema {
  const schema = withoutRequired(mergedConfigJsonSchema()) as JsonSchema;
  return {
    ...schema,
    title: 'OpenClaw hardened AWS deployment: config overlay',
  };
}

/** Keys allowed at `path` in the merged config, for "unknown key" messages. */
export function allowedKeysAt(path: readonly (string | number)[]): string[] {
  let node: JsonSchema | undefined = mergedConfigJsonSchema();
  for (const seg of path) {
    if (!node) return [];
    if (typeof seg === 'number') node = node.items as JsonSchema | undefined;
    else {
      const props = node.properties as Record<string, JsonSchema> | undefined;
      node = props?.[seg] ?? (node.additionalProperties as JsonSchema | undefined);
    }
  }
  const props = node?.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props) : [];
}
