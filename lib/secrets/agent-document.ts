/**
 * Checks the JSON document an operator stores in an agent's secret
 * (`npm run secrets:set`) against the keys the deployment reads from it
 * (agentSecretPointers). Pure: no clock, no network.
 *
 * The document holds secrets, so no message ever contains a value, nor text
 * of the parser that could quote one: messages name JSON pointers only.
 */
import { CHANNELS, PROVIDERS } from '../network/config-schema';

export interface AgentDocumentContext {
  /** The agent whose secret the document is for. */
  readonly agent: string;
  /** The agent's model provider: its secret holds that provider's key, and no other (every agent holds its own key). */
  readonly provider: string;
}

/**
 * Keys that are safe to show: a key that looks like anything else (a pasted value?) is not shown.
 * A showable key holds neither '~' nor '/', so it needs no RFC 6901 escaping in a shown pointer.
 */
const SHOWABLE_KEY = /^[A-Za-z][A-Za-z0-9_-]{0,39}$/;

/** RFC 6901: '~1' is '/', then '~0' is '~' (in this order, so '~01' is '~1'). */
const unescapeToken = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

/** The pointer, or a neutral description when one of its keys does not look like a key name. */
function showPointer(tokens: readonly string[]): string {
  return tokens.every((t) => SHOWABLE_KEY.test(t)) ? `/${tokens.join('/')}` : 'a key that does not look like a key name (not shown)';
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Line and column of a character offset, for JSON errors (the offset only: never the text there). */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

function parseProblem(text: string, error: SyntaxError): string {
  // V8 messages can quote the input ("Unexpected token 'x', "...sk-ant..." is not valid JSON"):
  // keep only the numeric position, never the message. The position must come from V8's own
  // words ("... in JSON at position 65", "... after JSON at position 8" for content after the
  // document), not from quoted input holding "position 3"; V8 quotes an input of at most 20
  // characters, else at most 10 either side of the error: too few to hold " in JSON at position N"
  // (22 or more).
  const position = / (?:in|after) JSON at position (\d+)/.exec(error.message)?.[1];
  const where = position !== undefined ? ` (the parser stopped at ${lineColumn(text, Number(position))})` : '';
  return `the input is not valid JSON${where}; expected an object like {"<provider>": {"apiKey": "..."}, "<platform>": {"botToken": "..."}}`;
}

/** Why a pointer the agent does not need is there, and where it belongs instead. */
function unexpected(tokens: readonly string[], required: readonly string[], ctx: AgentDocumentContext): string {
  const shown = showPointer(tokens);
  const [top, leaf] = tokens;
  const holds = `the secret of agent ${ctx.agent} holds ${required.length ? `only ${required.join(', ')}` : 'no keys (an empty object {})'}`;
  if (leaf === 'apiKey' && (PROVIDERS as readonly string[]).includes(top!) && top !== ctx.provider) {
    return `${shown}: agent ${ctx.agent} uses the model provider ${ctx.provider}, not ${top} (openclaw.agents.${ctx.agent}.provider); remove it: ${holds}`;
  }
  if (leaf === 'botToken' && (CHANNELS as readonly string[]).includes(top!)) {
    return `${shown}: agent ${ctx.agent} does not answer on ${top} (not in openclaw.agents.${ctx.agent}.channels); remove it: ${holds}`;
  }
  return `${shown}: unexpected key; remove it: ${holds}`;
}

/**
 * Problems of `text` as the document of `ctx.agent`: not JSON, not an object,
 * a required pointer missing, empty, not a string or holding whitespace, or a
 * key that is not required. [] when it is fine.
 */
export function checkAgentDocument(text: string, requiredPointers: readonly string[], ctx: AgentDocumentContext): string[] {
  const source = text.replace(/^\uFEFF/, '');
  if (source.trim() === '') return ['no document on stdin; expected a JSON object (paste it, then press Ctrl-D)'];
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (e) {
    // JSON.parse without a reviver throws only SyntaxError.
    return [parseProblem(source, e as SyntaxError)];
  }
  if (!isObject(doc)) return [`the document is ${kindOf(doc)}; expected a JSON object`];

  const problems: string[] = [];
  const required = requiredPointers.map((p) => {
    const tokens = p.split('/').slice(1).map(unescapeToken);
    if (!p.startsWith('/') || tokens.length !== 2) throw new Error(`required pointer ${p}: expected /<key>/<key>`);
    return tokens as [string, string];
  });

  for (const [top, leaf] of required) {
    const pointer = showPointer([top, leaf]);
    const parent = doc[top];
    if (parent === undefined) {
      problems.push(`${pointer}: missing`);
      continue;
    }
    if (!isObject(parent)) {
      problems.push(`${showPointer([top])}: is ${kindOf(parent)}; expected an object holding "${leaf}"`);
      continue;
    }
    const value = parent[leaf];
    if (value === undefined) problems.push(`${pointer}: missing`);
    else if (typeof value !== 'string') problems.push(`${pointer}: is ${kindOf(value)}; expected a string`);
    else if (value === '') problems.push(`${pointer}: is empty`);
    else if (/\s/.test(value)) problems.push(`${pointer}: contains whitespace or a line break (a paste error?); expected the key alone`);
  }

  const requiredSet = new Set(required.map(([t, l]) => `${t}\u0000${l}`));
  const requiredTops = new Set(required.map(([t]) => t));
  for (const [top, value] of Object.entries(doc)) {
    if (requiredTops.has(top)) {
      if (!isObject(value)) continue; // reported above
      for (const leaf of Object.keys(value)) {
        if (!requiredSet.has(`${top}\u0000${leaf}`)) problems.push(unexpected([top, leaf], requiredPointers, ctx));
      }
    } else {
      const leaves = isObject(value) && Object.keys(value).length > 0 ? Object.keys(value).map((k) => [top, k]) : [[top]];
      for (const tokens of leaves) problems.push(unexpected(tokens, requiredPointers, ctx));
    }
  }
  return problems;
}

/** The document as stored: the parsed object, re-serialised (call after checkAgentDocument found no problem). */
export function normaliseAgentDocument(text: string): string {
  return JSON.stringify(JSON.parse(text.replace(/^\uFEFF/, '')));
}
