import * as fs from 'fs';
import { isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors';
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
 * Aliases a file may expand to (the yaml package's guard against a "billion
 * laughs" document, which would otherwise exhaust memory): far more than any
 * config needs.
 */
export const MAX_ALIAS_COUNT = 100;

/** Keys that would reach JavaScript's object machinery instead of the config. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Offset of the first byte that does not start (or continue) a valid UTF-8 sequence. */
function firstNonUtf8(bytes: Buffer): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i]!;
    const size = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (size === 0 || i + size > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + size));
    } catch {
      return i;
    }
    i += size;
  }
  return bytes.length;
}

/** The parser's messages that speak to programmers, in the user's words. */
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'found several YAML documents (a "---" separator); expected one document per file',
};

function readText(absolutePath: string, displayPath: string): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(absolutePath);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EISDIR' ? 'it is a folder' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : `${err.code ?? 'error'}: ${err.message}`;
    throw new ConfigError([{ file: displayPath, message: `cannot read the file (${why}); expected a readable YAML file` }]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstNonUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
    throw new ConfigError([
      {
        file: displayPath,
        line,
        message: `found a byte that is not UTF-8 text (0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')} at byte ${offset}); expected a UTF-8 file (save it as UTF-8)`,
      },
    ]);
  }
}

/** Aliases that cannot become plain data: undefined anchors and aliases inside the node they refer to (a cycle). */
function aliasProblems(doc: Document, lineOf: (offset: number) => number, displayPath: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  visit(doc, {
    Alias(_, alias) {
      const line = alias.range ? lineOf(alias.range[0]) : undefined;
      const source = alias.resolve(doc);
      if (!source) {
        problems.push({ file: displayPath, line, message: `YAML alias *${alias.source} has no anchor &${alias.source} before it; expected an alias of an anchor defined earlier in the file` });
      } else if (isCollection(source) && source.range && alias.range && alias.range[0] >= source.range[0] && alias.range[1] <= source.range[2]) {
        problems.push({ file: displayPath, line, message: `YAML alias *${alias.source} is inside the node &${alias.source} it refers to (a cycle); expected an alias of a node it is not part of` });
      }
    },
  });
  return problems;
}

/**
 * Parses one YAML overlay. Every way it can fail ends in a ConfigError naming
 * the file (and the line where known): unreadable file, bytes that are not
 * UTF-8, syntax errors, duplicate keys, tabs, several documents, unknown tags,
 * undefined or cyclic aliases, alias expansion beyond MAX_ALIAS_COUNT, a top
 * level that is not a mapping. An empty file (or one holding only comments)
 * is an empty overlay.
 */
export function readLayer(absolutePath: string, displayPath: string): ConfigLayer {
  const text = readText(absolutePath, displayPath);
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // Warnings too: an unknown tag (!foo) or a collection used as a key would silently become a string.
  const parseProblems = [...doc.errors, ...doc.warnings].map((e) => ({
    file: displayPath,
    line: lineOf(e.pos[0]),
    message: `YAML ${doc.errors.includes(e as never) ? 'syntax error' : 'problem'}: ${YAML_MESSAGES[e.code] ?? e.message.split('\n')[0]} (${e.code})`,
  }));
  if (parseProblems.length > 0) throw new ConfigError(parseProblems);
  const aliases = aliasProblems(doc, lineOf, displayPath);
  if (aliases.length > 0) throw new ConfigError(aliases);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) ?? {};
  } catch (e) {
    const message = (e as Error).message;
    throw new ConfigError([
      {
        file: displayPath,
        message: /alias count/i.test(message)
          ? `YAML aliases expand to more than ${MAX_ALIAS_COUNT} nodes (the parser's guard against a "billion laughs" document); expected a file whose aliases expand to at most ${MAX_ALIAS_COUNT}`
          : `could not be read as YAML: ${message.split('\n')[0]}`,
      },
    ]);
  }
  if (!isPlainObject(value)) {
    throw new ConfigError([{ file: displayPath, line: 1, message: `found ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}; expected a YAML mapping of keys to values` }]);
  }
  const lines = new Map<string, number>();
  const visit = (node: Node | null | undefined, path: KeyPath) => {
    if (!node) return;
    if (node.range) lines.set(formatPath(path), lineCounter.linePos(node.range[0]).line);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (FORBIDDEN_KEYS.has(key)) {
          throw new ConfigError([
            { file: displayPath, line: pair.key.range ? lineOf(pair.key.range[0]) : undefined, path: formatPath([...path, key]), message: `key "${key}" is not allowed; expected a config key` },
          ]);
        }
        const childPath = [...path, key];
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
