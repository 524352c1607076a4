import * as fs from 'fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Scalar } from 'yaml';
import { ConfigError, type ConfigProblem } from './errors';
import { formatPath, isPlainObject, type KeyPath } from './key-path';

/** One parsed overlay file: its value and the line on which each key path starts. */
export interface ConfigLayer {
  /** Path shown in messages, relative to the repository (e.g. `config/base.yaml`). */
  readonly file: string;
  /** The parsed document. */
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

/** U+FFFD REPLACEMENT CHARACTER as UTF-8: what a file may hold as text, and what the decoder puts in place of bytes that are not UTF-8. */
const REPLACEMENT_CHARACTER = Buffer.from('\ufffd');

/**
 * Offset of the first byte of the first sequence that is not UTF-8. The
 * platform's decoder (WHATWG, replacing each invalid sequence with one U+FFFD)
 * judges the bytes; the first U+FFFD not written as such in the file marks the
 * spot. The BOM is kept so that offsets count every byte of the file.
 */
function firstNonUtf8(bytes: Buffer): number {
  let offset = 0;
  for (const char of new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)) {
    if (char === '\ufffd' && !bytes.subarray(offset, offset + 3).equals(REPLACEMENT_CHARACTER)) break;
    offset += Buffer.byteLength(char);
  }
  return offset;
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
    // Node's message already starts with the code ("ELOOP: too many symbolic links encountered, open '...'").
    const why = err.code === 'EISDIR' ? 'it is a folder' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : err.message;
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
        // The byte is never ASCII (every ASCII byte is UTF-8), so it always has two hex digits.
        message: `found a byte that is not UTF-8 text (0x${bytes[offset]!.toString(16)} at byte ${offset}); expected a UTF-8 file (save it as UTF-8)`,
      },
    ]);
  }
}

/**
 * Nodes that cannot become plain config data: aliases of no anchor, aliases
 * inside the node they refer to (a cycle), and keys that are not plain scalars
 * (a list or mapping key would become a string such as "[ a, b ]"; a null key, "").
 */
function structureProblems(doc: Document, lineOf: (offset: number) => number, displayPath: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // Nodes parsed from text always carry their range (offsets in the text).
  visit(doc, {
    // `ancestors`: the nodes the alias is written in. An anchor comes before its aliases, so a
    // cycle (a node that, expanded, contains itself) always has an alias inside its own node.
    Alias(_, alias, ancestors) {
      const line = lineOf(alias.range![0]);
      const source = alias.resolve(doc);
      if (!source) {
        problems.push({ file: displayPath, line, message: `YAML alias *${alias.source} has no anchor &${alias.source} before it; expected an alias of an anchor defined earlier in the file` });
      } else if (ancestors.includes(source)) {
        problems.push({ file: displayPath, line, message: `YAML alias *${alias.source} is inside the node &${alias.source} it refers to (a cycle); expected an alias of a node it is not part of` });
      }
    },
    Pair(_, pair) {
      const key = pair.key as Node;
      if (!isScalar(key)) {
        const found = isSeq(key) ? 'a list' : isMap(key) ? 'a mapping' : `the YAML alias ${key.toString()}`;
        problems.push({ file: displayPath, line: lineOf(key.range![0]), message: `found ${found} used as a key; expected a plain key (a name)` });
      } else if (key.value === null) {
        // `: x`, `~: x`, `null: x`: YAML's null key, which JavaScript reads as the key "".
        problems.push({ file: displayPath, line: lineOf(key.range![0]), message: `found an empty key (nothing, ~ or null before the colon); expected a plain key (a name)` });
      }
    },
  });
  return problems;
}

/**
 * Parses one YAML overlay. Every way it can fail ends in a ConfigError naming
 * the file (and the line where known): unreadable file, bytes that are not
 * UTF-8, syntax errors, duplicate keys, tabs, several documents, unknown tags,
 * undefined or cyclic aliases, keys that are lists, mappings, aliases or empty, alias
 * expansion beyond MAX_ALIAS_COUNT, a top level that is not a mapping. An
 * empty file (or one holding only comments) is an empty overlay.
 */
export function readLayer(absolutePath: string, displayPath: string): ConfigLayer {
  const text = readText(absolutePath, displayPath);
  const lineCounter = new LineCounter();
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // Warnings too: an unknown tag (!foo) would silently become a string.
  const parseProblems = [...doc.errors, ...doc.warnings].map((e) => ({
    file: displayPath,
    line: lineOf(e.pos[0]),
    message: `YAML ${doc.errors.includes(e as never) ? 'syntax error' : 'problem'}: ${YAML_MESSAGES[e.code] ?? e.message.split('\n')[0]} (${e.code})`,
  }));
  if (parseProblems.length > 0) throw new ConfigError(parseProblems);
  const structure = structureProblems(doc, lineOf, displayPath);
  if (structure.length > 0) throw new ConfigError(structure);

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
  // Map entries are at the line of their key, list items at their own line (keys are scalars: checked above).
  const visitValue = (node: unknown, path: KeyPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const keyNode = pair.key as Scalar;
        const key = String(keyNode.value);
        const childPath = [...path, key];
        const line = lineOf(keyNode.range![0]);
        if (FORBIDDEN_KEYS.has(key)) {
          throw new ConfigError([{ file: displayPath, line, path: formatPath(childPath), message: `key "${key}" is not allowed; expected a config key` }]);
        }
        lines.set(formatPath(childPath), line);
        visitValue(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        lines.set(formatPath([...path, i]), lineOf((item as Node).range![0]));
        visitValue(item, [...path, i]);
      });
    }
  };
  visitValue(doc.contents, []);
  return { file: displayPath, value, lines };
}
