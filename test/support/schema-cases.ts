import type { z } from 'zod';

/**
 * `path: message` of every issue zod reports, in order; [] when the value parses.
 * A refused record key shows the key schema's own messages (as the config loader does).
 */
export function problemsOf(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  if (r.success) return [];
  return r.error.issues.map((i) => {
    const message = i.code === 'invalid_key' ? i.issues.map((n) => n.message).join(' / ') : i.message;
    return `${i.path.map(String).join('.')}: ${message}`;
  });
}

/** A deep copy of `base` with the value at `path` replaced (or removed, for undefined). */
export function withValue<T>(base: T, path: readonly (string | number)[], value: unknown): T {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as T;
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Paths (dotted, `[]` for list items, `{}` for record values) of every property of a
 * JSON Schema that has no non-empty description.
 */
export function undescribed(jsonSchema: Node, at = '$'): string[] {
  const out: string[] = [];
  const visit = (node: Node, p: string) => {
    if (isNode(node.properties)) {
      for (const [k, child] of Object.entries(node.properties)) {
        if (!isNode(child)) continue;
        const d = child.description;
        if (typeof d !== 'string' || d.trim() === '') out.push(`${p}.${k}`);
        visit(child, `${p}.${k}`);
      }
    }
    if (isNode(node.items)) visit(node.items, `${p}[]`);
    if (isNode(node.additionalProperties)) visit(node.additionalProperties, `${p}{}`);
  };
  const d = jsonSchema.description;
  if (typeof d !== 'string' || d.trim() === '') out.push(at);
  visit(jsonSchema, at);
  return out;
}
