import type { ConfigLayer } from './yaml-source';
import { formatPath, isPlainObject, type KeyPath } from './key-path';

/** Where a value came from. */
export interface Origin {
  /** Path of the file, as shown in messages (e.g. `config/base.yaml`). */
  readonly file: string;
  /** 1-based line of the key in that file; absent when the layer has no line for it. */
  readonly line?: number;
}

/** The layers merged into one value, with where each key path came from. */
export interface MergedConfig {
  /** The merged value (later layers win). */
  readonly value: Record<string, unknown>;
  /** Origin of every key path set by some layer (containers and leaves). */
  readonly origins: ReadonlyMap<string, Origin>;
}

/**
 * Deep-merges layers in order: mappings merge key by key, everything else
 * (scalars and lists) is replaced by the later layer.
 */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedConfig {
  const value: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();

  const record = (layer: ConfigLayer, path: KeyPath, v: unknown) => {
    const key = formatPath(path);
    for (const existing of [...origins.keys()]) {
      if (existing.startsWith(`${key}.`) || existing.startsWith(`${key}[`)) origins.delete(existing);
    }
    origins.set(key, { file: layer.file, line: layer.lines.get(key) });
    if (isPlainObject(v)) {
      for (const [k, child] of Object.entries(v)) record(layer, [...path, k], child);
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => record(layer, [...path, i], child));
    }
  };

  const mergeInto = (target: Record<string, unknown>, source: Record<string, unknown>, path: KeyPath, layer: ConfigLayer) => {
    for (const [k, v] of Object.entries(source)) {
      const childPath = [...path, k];
      const current = target[k];
      if (isPlainObject(current) && isPlainObject(v)) {
        // The mapping keeps the origin of the layer that created it (recorded then, with its children).
        mergeInto(current, v, childPath, layer);
      } else {
        target[k] = structuredClone(v);
        record(layer, childPath, v);
      }
    }
  };

  for (const layer of layers) mergeInto(value, layer.value, [], layer);
  return { value, origins };
}

/** The origin of `path`, or of its closest ancestor that some layer set. */
export function originOf(merged: MergedConfig, path: KeyPath): Origin | undefined {
  for (let n = path.length; n > 0; n--) {
    const o = merged.origins.get(formatPath(path.slice(0, n)));
    if (o) return o;
  }
  return undefined;
}
