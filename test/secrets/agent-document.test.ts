import { randomBytes } from 'crypto';
import { checkAgentDocument, normaliseAgentDocument, type AgentDocumentContext } from '../../lib/secrets/agent-document';
import { loadConfig } from '../../lib/config/load';
import { agentSecretPointers } from '../../lib/secrets/secrets-manifest';
import { CONFIG_DIR, NOW } from '../support/config-fixture';

/** An obviously fake value, new on every run, that no message may contain. */
const MARKER = `FAKE-NOT-A-SECRET-${randomBytes(8).toString('hex')}`;

const CTX: AgentDocumentContext = { agent: 'support', provider: 'openai' };
const REQUIRED = ['/openai/apiKey', '/telegram/botToken'];

/** The problems of `text`; fails the test when any of them quotes the marker. */
function problems(text: string, required: readonly string[] = REQUIRED, ctx: AgentDocumentContext = CTX): string[] {
  const found = checkAgentDocument(text, required, ctx);
  for (const p of found) expect(p).not.toContain(MARKER);
  for (const p of found) expect(p).not.toContain(MARKER.slice(-16));
  return found;
}

const good = { openai: { apiKey: MARKER }, telegram: { botToken: `${MARKER}-tg` } };

test('a document with exactly the required pointers passes', () => {
  expect(problems(JSON.stringify(good))).toEqual([]);
  expect(problems(`\uFEFF${JSON.stringify(good, null, 2)}\n`)).toEqual([]);
  expect(problems('{}', [])).toEqual([]);
});

test('not JSON: one message, never the parser text (which can quote the input)', () => {
  for (const text of [
    `{"openai": {"apiKey": ${MARKER}}}`,
    `{"openai": {"apiKey": "${MARKER}`,
    `{'openai': {'apiKey': '${MARKER}'}}`,
    `${MARKER}`,
    `{"openai": {"apiKey": "${MARKER}"},}`,
  ]) {
    const found = problems(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^the input is not valid JSON/);
  }
  expect(problems('')).toEqual([expect.stringMatching(/^no document on stdin/)]);
  expect(problems(' \n')).toEqual([expect.stringMatching(/^no document on stdin/)]);
});

test('not an object', () => {
  expect(problems(JSON.stringify([MARKER]))).toEqual(['the document is a list; expected a JSON object']);
  expect(problems(JSON.stringify(MARKER))).toEqual(['the document is a string; expected a JSON object']);
  expect(problems('null')).toEqual(['the document is null; expected a JSON object']);
  expect(problems('42')).toEqual(['the document is a number; expected a JSON object']);
});

test('required pointers: missing, empty, not a string, whitespace, parent not an object', () => {
  expect(problems(JSON.stringify({ telegram: good.telegram }))).toEqual(['/openai/apiKey: missing']);
  expect(problems(JSON.stringify({ ...good, openai: {} }))).toEqual(['/openai/apiKey: missing']);
  expect(problems(JSON.stringify({ ...good, openai: { apiKey: '' } }))).toEqual(['/openai/apiKey: is empty']);
  expect(problems(JSON.stringify({ ...good, openai: { apiKey: 123 } }))).toEqual(['/openai/apiKey: is a number; expected a string']);
  expect(problems(JSON.stringify({ ...good, openai: { apiKey: [MARKER] } }))).toEqual(['/openai/apiKey: is a list; expected a string']);
  for (const bad of [`${MARKER}\n`, ` ${MARKER}`, `${MARKER.slice(0, 10)} ${MARKER.slice(10)}`, `${MARKER}\r\n`, `${MARKER}\t`]) {
    expect(problems(JSON.stringify({ ...good, openai: { apiKey: bad } }))).toEqual([
      '/openai/apiKey: contains whitespace or a line break (a paste error?); expected the key alone',
    ]);
  }
  expect(problems(JSON.stringify({ ...good, openai: MARKER }))).toEqual(['/openai: is a string; expected an object holding "apiKey"']);
  expect(problems('{}')).toEqual(['/openai/apiKey: missing', '/telegram/botToken: missing']);
});

test('keys that are not required are refused, saying why', () => {
  const [provider] = problems(JSON.stringify({ ...good, anthropic: { apiKey: MARKER } }));
  expect(provider).toBe(
    '/anthropic/apiKey: agent support uses the model provider openai, not anthropic (openclaw.agents.support.provider); remove it: ' +
      'the secret of agent support holds only /openai/apiKey, /telegram/botToken',
  );
  expect(problems(JSON.stringify({ ...good, mistral: { apiKey: MARKER } }))).toEqual([
    expect.stringMatching(/^\/mistral\/apiKey: agent support uses the model provider openai, not mistral .*; remove it/),
  ]);
  expect(problems(JSON.stringify({ ...good, slack: { botToken: MARKER } }))).toEqual([
    expect.stringMatching(/^\/slack\/botToken: agent support does not answer on slack \(not in openclaw\.agents\.support\.channels\); remove it/),
  ]);
  expect(problems(JSON.stringify({ ...good, telegram: { ...good.telegram, webhookSecret: MARKER } }))).toEqual([
    expect.stringMatching(/^\/telegram\/webhookSecret: unexpected key; remove it: the secret of agent support holds only/),
  ]);
  expect(problems(JSON.stringify({ ...good, note: MARKER }))).toEqual([expect.stringMatching(/^\/note: unexpected key/)]);
  expect(problems(JSON.stringify({ ...good, empty: {} }))).toEqual([expect.stringMatching(/^\/empty: unexpected key/)]);
  // A document checked against no required pointers (every real agent needs its provider key): everything is unexpected.
  expect(problems(JSON.stringify({ openai: { apiKey: MARKER } }), [], { ...CTX, agent: 'ops' })).toEqual([
    '/openai/apiKey: unexpected key; remove it: the secret of agent ops holds no keys (an empty object {})',
  ]);
});

test('a key that looks like a pasted value is not shown', () => {
  const pastedAsKey = `${MARKER}:${MARKER}`;
  const found = problems(JSON.stringify({ ...good, [pastedAsKey]: true, ok: { [MARKER + MARKER]: 1 } }));
  expect(found).toEqual([
    expect.stringMatching(/^a key that does not look like a key name \(not shown\): unexpected key/),
    expect.stringMatching(/^a key that does not look like a key name \(not shown\): unexpected key/),
  ]);
});

test('all problems are reported together', () => {
  const found = problems(JSON.stringify({ openai: { apiKey: ` ${MARKER}` }, anthropic: { apiKey: MARKER }, x: 1 }));
  expect(found.map((p) => p.split(':')[0])).toEqual(['/openai/apiKey', '/telegram/botToken', '/anthropic/apiKey', '/x']);
});

test('the example config: every agent holds its own provider key (ops and support both use anthropic: two keys)', () => {
  const { config } = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW });
  for (const agent of ['ops', 'support']) {
    const required = agentSecretPointers(config, agent);
    expect(required).toContain('/anthropic/apiKey');
    const ctx = { agent, provider: config.openclaw.agents[agent]!.provider };
    const doc = Object.fromEntries(required.map((p) => [p.split('/')[1]!, { [p.split('/')[2]!]: `${MARKER}-${p}` }]));
    expect(problems(JSON.stringify(doc), required, ctx)).toEqual([]);
    // Without its key the document is refused: no agent relies on another agent's key.
    const withoutKey = Object.fromEntries(Object.entries(doc).filter(([top]) => top !== 'anthropic'));
    expect(problems(JSON.stringify(withoutKey), required, ctx)).toEqual(['/anthropic/apiKey: missing']);
  }
});

test('normaliseAgentDocument re-serialises the parsed object', () => {
  expect(normaliseAgentDocument(`\uFEFF{\n  "openai": { "apiKey": "k" }\n}\n`)).toBe('{"openai":{"apiKey":"k"}}');
});

describe('JSON errors: where the parser stopped, as line and column of the input (never its text)', () => {
  const EXPECTED = 'expected an object like {"<provider>": {"apiKey": "..."}, "<platform>": {"botToken": "..."}}';

  test('a missing comma on line 4 is reported at line 4, column 3 (two-digit offset 65)', () => {
    const text = `{\n  "openai": {"apiKey": "k"},\n  "telegram": {"botToken": "t"}\n  "x": 1\n}`;
    expect(problems(text)).toEqual([`the input is not valid JSON (the parser stopped at line 4, column 3); ${EXPECTED}`]);
  });

  test('an error at the start of a line is column 1, not of the whole text', () => {
    expect(problems(`{\n  "a": 1,\n  "b": 2,\n}\n\n`)).toEqual([`the input is not valid JSON (the parser stopped at line 4, column 1); ${EXPECTED}`]);
  });

  test('a leading byte order mark is not counted: the column is that of the text after it', () => {
    expect(problems(`\uFEFF{"openai" {}}`)).toEqual([`the input is not valid JSON (the parser stopped at line 1, column 11); ${EXPECTED}`]);
  });

  test('content after the document (two documents pasted, a stray "}") is located too: V8 says "after JSON at position N"', () => {
    expect(problems('{"openai": {}}\n}')).toEqual([`the input is not valid JSON (the parser stopped at line 2, column 1); ${EXPECTED}`]);
    expect(problems('{"a": 1} {"b": 2}')).toEqual([`the input is not valid JSON (the parser stopped at line 1, column 10); ${EXPECTED}`]);
  });

  test('a parser message without a position (end of input, or one quoting the input) adds no location', () => {
    expect(problems('{"openai": {"apiKey": ')).toEqual([`the input is not valid JSON; ${EXPECTED}`]);
    expect(problems(`{"openai": {"apiKey": ${MARKER}}}`)).toEqual([`the input is not valid JSON; ${EXPECTED}`]);
  });

  test('input quoted by the parser that holds "position N" does not give a location', () => {
    // V8: Unexpected token 'p', "{"a":position 3}" is not valid JSON
    expect(problems('{"a":position 3}')).toEqual([`the input is not valid JSON; ${EXPECTED}`]);
  });
});

test('a value that is an object is "an object"', () => {
  expect(problems(JSON.stringify({ ...good, openai: { apiKey: {} } }))).toEqual(['/openai/apiKey: is an object; expected a string']);
  expect(problems(JSON.stringify({ ...good, openai: null }))).toEqual(['/openai: is null; expected an object holding "apiKey"']);
});

describe('required pointers are RFC 6901: ~1 is "/" and ~0 is "~", unescaped in that order', () => {
  const ctx: AgentDocumentContext = { agent: 'support', provider: 'openai' };

  test('a key holding "/" is required as ~1 and found', () => {
    expect(problems(JSON.stringify({ 'a/b': { 'c/d': MARKER } }), ['/a~1b/c~1d'], ctx)).toEqual([]);
  });

  test('a key holding "~" is required as ~0 and found', () => {
    expect(problems(JSON.stringify({ 'a~b': { 'c~d': MARKER } }), ['/a~0b/c~0d'], ctx)).toEqual([]);
  });

  test('~01 is the key "~1", not "/"', () => {
    expect(problems(JSON.stringify({ 'x~1y': { k: MARKER } }), ['/x~01y/k'], ctx)).toEqual([]);
  });

  test('the same keys unescaped differently are missing (and not shown: "~" and "/" do not look like key names)', () => {
    expect(problems(JSON.stringify({ 'x/y': { k: MARKER } }), ['/x~01y/k'], ctx)).toEqual([
      'a key that does not look like a key name (not shown): missing',
      'a key that does not look like a key name (not shown): unexpected key; remove it: the secret of agent support holds only /x~01y/k',
    ]);
  });
});

describe('a required pointer must be /<key>/<key> (a programming error, thrown)', () => {
  test.each([
    ['openai/apiKey/x', 'does not start with /'],
    ['/openai/apiKey/x', 'three keys'],
    ['/openai', 'one key'],
  ])('%s (%s)', (pointer) => {
    expect(() => checkAgentDocument('{}', [pointer], CTX)).toThrow(new Error(`required pointer ${pointer}: expected /<key>/<key>`));
  });
});

describe("an agent's secret holds its own provider's key, and no other", () => {
  test('the key of a provider this agent owns, but does not need here, is an unexpected key', () => {
    expect(problems(JSON.stringify({ telegram: good.telegram, openai: { apiKey: MARKER } }), ['/telegram/botToken'])).toEqual([
      '/openai/apiKey: unexpected key; remove it: the secret of agent support holds only /telegram/botToken',
    ]);
  });

  test("another provider's API key is refused, naming the agent's own provider", () => {
    expect(problems(JSON.stringify({ ...good, anthropic: { apiKey: MARKER } }))).toEqual([
      '/anthropic/apiKey: agent support uses the model provider openai, not anthropic (openclaw.agents.support.provider); remove it: ' +
        'the secret of agent support holds only /openai/apiKey, /telegram/botToken',
    ]);
  });

  test('another key under a provider owned by another agent is an unexpected key, not a misplaced API key', () => {
    expect(problems(JSON.stringify({ ...good, anthropic: { botToken: MARKER } }))).toEqual([
      '/anthropic/botToken: unexpected key; remove it: the secret of agent support holds only /openai/apiKey, /telegram/botToken',
    ]);
  });

  test('an apiKey under a name that is not a provider is an unexpected key', () => {
    expect(problems(JSON.stringify({ ...good, note: { apiKey: MARKER }, x: 1 }), REQUIRED, { ...CTX, provider: 'note' })).toEqual([
      '/note/apiKey: unexpected key; remove it: the secret of agent support holds only /openai/apiKey, /telegram/botToken',
      '/x: unexpected key; remove it: the secret of agent support holds only /openai/apiKey, /telegram/botToken',
    ]);
  });
});

describe('a byte order mark is stripped only at the start', () => {
  test('a BOM inside a value is kept, and reported as whitespace', () => {
    expect(problems(JSON.stringify({ ...good, openai: { apiKey: `${MARKER}\uFEFF` } }))).toEqual([
      '/openai/apiKey: contains whitespace or a line break (a paste error?); expected the key alone',
    ]);
  });

  test('normaliseAgentDocument keeps a BOM that is not at the start', () => {
    expect(normaliseAgentDocument('{"openai":{"apiKey":"k\uFEFFk"}}')).toBe('{"openai":{"apiKey":"k\uFEFFk"}}');
    expect(normaliseAgentDocument('\uFEFF{"openai":{"apiKey":"k\uFEFFk"}}')).toBe('{"openai":{"apiKey":"k\uFEFFk"}}');
  });
});
