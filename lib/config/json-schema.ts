import { z } from 'zod';
import { configSchema } from './schema';

type JsonSchema = Record<string, unknown>;

/**
 * Removes `required` everywhere (in objects at every depth, also those inside lists such as
 * anyOf): an overlay sets only the keys it changes. The schema is plain JSON.
 */
function withoutRequired(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (k, v: unknown) => (k === 'required' ? undefined : v)) as JsonSchema;
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
  const schema = withoutRequired(mergedConfigJsonSchema());
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
