/** A key path into a parsed YAML/JSON document. */
export type KeyPath = readonly (string | number)[];

/** Renders `['exceptions', 0, 'reason']` as `exceptions[0].reason`. */
export function formatPath(path: KeyPath): string {
  return path.reduce<string>((acc, seg) => {
    if (typeof seg === 'number') return `${acc}[${seg}]`;
    return acc === '' ? seg : `${acc}.${seg}`;
  }, '');
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
