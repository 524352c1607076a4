import * as fs from 'fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError } from './errors';
import { formatPath, isPlainObject, type KeyPath } from './key-path';

/** One parsed overlay file: its value and the line on which each key path starts. */
export interface ConfigLayer {
  /** Path shown in messages, relative to the repository (e.g. `config/base.yaml`). */
  readonly file: string;
  readonly value: Record<string, unknown>;
  /** `formatPath(path)` -> 1-based line. */
  readonly lines: ReadonlyMap<string, number>;
}

/**
 * Parses one YAML overlay. Syntax errors, duplicate keys and a top level that is
 * not a mapping are reported with the file and line.
 */
export function readLayer(absolutePath: string, displayPath: string): ConfigLayer {
  const text = fs.readFileSync(absolutePath, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file: displayPath,
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const value: unknown = doc.toJS() ?? {};
  if (!isPlainObject(value)) {
    throw new ConfigError([{ file: displayPath, line: 1, message: 'the file must be a YAML mapping of keys to values' }]);
  }
  const lines = new Map<string, number>();
  const visit = (node: Node | null | undefined, path: KeyPath) => {
    if (!node) return;
    if (node.range) lines.set(formatPath(path), lineCounter.linePos(node.range[0]).line);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const childPath = [...path, String(pair.key.value)];
        if (pair.key.range) lines.set(formatPath(childPath), lineCounter.linePos(pair.key.range[0]).line);
        visit(pair.value as Node | null, childPath);
        if (pair.key.range) lines.set(formatPath(childPath), lineCounter.linePos(pair.key.range[0]).line);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item as Node, [...path, i]));
    }
  };
  visit(doc.contents as Node | null, []);
  return { file: displayPath, value, lines };
}
