import { MAX_TOKENS_PER_KIND } from '../../host/spend-meter/pricing';
import { parseUsageEvent, type UsageRecord } from '../../host/spend-meter/usage';

// One usage record out of one OpenClaw transcript event (host/spend-meter/usage.ts),
// focused: every field's accepted and refused values at their bounds, records
// compared strictly (a key present as undefined is a difference).

/** An assistant event as OpenClaw 2026.9.6 writes it (see usage.ts). */
function event(over: { usage?: unknown; provider?: unknown; model?: unknown; timestamp?: unknown; iso?: unknown; id?: unknown } = {}): string {
  const message: Record<string, unknown> = { role: 'assistant', content: [{ type: 'text', text: 'ok' }], api: 'anthropic-messages', provider: 'anthropic', model: 'claude-sonnet-4-6', stopReason: 'stop', timestamp: 1795251856981 };
  message.usage = { input: 1_000, output: 200, cacheRead: 0, cacheWrite: 0, totalTokens: 1_200, cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 } };
  for (const [k, v] of Object.entries(over)) if (k !== 'iso' && k !== 'id') message[k] = v;
  return JSON.stringify({ type: 'message', id: 'id' in over ? over.id : 'e1', parentId: 'p1', timestamp: 'iso' in over ? over.iso : '2026-11-21T09:04:17.143Z', message });
}
const TOKENS = { input: 1_000, output: 200, cacheRead: 0, cacheWrite: 0 };
const ISO_MS = Date.parse('2026-11-21T09:04:17.143Z');
const record = (r: UsageRecord) => ({ kind: 'usage', record: r });
const recordOf = (text: string) => (parseUsageEvent(text) as { record: UsageRecord }).record;

test('an assistant message with usage: id, model, its own time, the four counts', () => {
  expect(parseUsageEvent(event())).toStrictEqual(record({ id: 'e1', model: 'anthropic/claude-sonnet-4-6', at: 1795251856981, tokens: TOKENS, capped: false, toolCalls: 0 }));
});

test('cacheWrite is counted, and a call with only cache tokens is usage', () => {
  expect(recordOf(event({ usage: { cacheRead: 1, cacheWrite: 1 } })).tokens).toStrictEqual({ input: 0, output: 0, cacheRead: 1, cacheWrite: 1 });
  expect(recordOf(event({ usage: { cacheWrite: 7 } })).tokens).toStrictEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 7 });
  expect(recordOf(event({ usage: { input: 1, output: 1 } })).tokens).toStrictEqual({ input: 1, output: 1, cacheRead: 0, cacheWrite: 0 });
});

test('usage of the event when the message has none; counts missing or null are 0', () => {
  const text = JSON.stringify({ id: 'e2', usage: { input: 3, output: null }, provider: 'openai', model: 'gpt-9' });
  expect(parseUsageEvent(text)).toStrictEqual(record({ id: 'e2', model: 'openai/gpt-9', tokens: { input: 3, output: 0, cacheRead: 0, cacheWrite: 0 }, capped: false, toolCalls: 0 }));
});

test.each<[string, unknown, unknown, number | undefined]>([
  ['message.timestamp', 1795251856981.7, '2020-01-01T00:00:00Z', 1795251856981],
  ['message.timestamp 1 ms', 1, undefined, 1],
  ['message.timestamp 0: the event\'s ISO time', 0, '2026-11-21T09:04:17.143Z', ISO_MS],
  ['message.timestamp 0 and no ISO time: none', 0, undefined, undefined],
  ['message.timestamp at the end of time (8.64e15): none', 8.64e15, undefined, undefined],
  ['message.timestamp just before it', 8.64e15 - 1, undefined, 8.64e15 - 1],
  ['message.timestamp beyond it: none', 1e16, undefined, undefined],
  ['message.timestamp negative: none', -5, undefined, undefined],
  ['message.timestamp a string: the ISO time', '1795251856981', '2026-11-21T09:04:17.143Z', ISO_MS],
  ['no message.timestamp: the ISO time', undefined, '2026-11-21T09:04:17.143Z', ISO_MS],
  ['an ISO time of 40 characters', undefined, '2026-11-21T09:04:17.1430000000000000000Z', ISO_MS],
  ['an ISO time of 41 characters: none', undefined, '2026-11-21T09:04:17.14300000000000000000Z', undefined],
  ['an ISO time that is a number (Date.parse would take it as a year): none', undefined, 2026, undefined],
  ['an ISO time that is not a time: none', undefined, 'soon', undefined],
  ['no time at all: none (the caller uses the row\'s)', undefined, undefined, undefined],
])('time: %s', (_name, timestamp, iso, at) => {
  const r = recordOf(event({ timestamp, iso }));
  expect(r).toStrictEqual({ id: 'e1', model: 'anthropic/claude-sonnet-4-6', ...(at === undefined ? {} : { at }), tokens: TOKENS, capped: false, toolCalls: 0 });
});

test.each<[string, unknown, string]>([
  ['a name with spaces around it, trimmed', '  gpt-9  ', 'gpt-9'],
  ['120 characters', 'm'.repeat(120), 'm'.repeat(120)],
  ['121 characters: unknown', 'm'.repeat(121), 'unknown'],
  ['only spaces: unknown', '   ', 'unknown'],
  ['a space inside: unknown', 'gpt 9', 'unknown'],
  ['a control character: unknown', 'gpt\u00079', 'unknown'],
  ['not a string: unknown', 9, 'unknown'],
])('model part: %s', (_name, model, part) => {
  expect(recordOf(event({ model })).model).toBe(`anthropic/${part}`);
  expect(recordOf(event({ provider: model })).model).toBe(`${part}/claude-sonnet-4-6`);
});

test.each<[string, unknown, string | undefined]>([
  ['200 characters', 'i'.repeat(200), 'i'.repeat(200)],
  ['201 characters: none', 'i'.repeat(201), undefined],
  ['empty: none', '', undefined],
  ['a number: none', 5, undefined],
  ['an array: none', ['e1'], undefined],
  ['one character', 'x', 'x'],
])('event id: %s', (_name, id, kept) => {
  expect(parseUsageEvent(event({ id }))).toStrictEqual(record({ ...(kept === undefined ? {} : { id: kept }), model: 'anthropic/claude-sonnet-4-6', at: 1795251856981, tokens: TOKENS, capped: false, toolCalls: 0 }));
});

test.each<[string, string]>([
  ['a user message', JSON.stringify({ type: 'message', message: { role: 'user', content: 'what is my "usage"?' } })],
  ['zero tokens', event({ usage: { input: 0, output: 0, cost: { total: 0 } } })],
  ['message.usage null (the event\'s, absent, is taken)', event({ usage: null })],
  ['the event\'s usage null, no message', JSON.stringify({ id: 'e1', usage: null })],
  ['a message that is an array, the event without usage', JSON.stringify({ message: [{ usage: { input: 1 } }] })],
])('not usage: %s', (_name, text) => {
  expect(parseUsageEvent(text)).toStrictEqual({ kind: 'none' });
});

test.each([
  ['not JSON', '{"type":"message","message":{"usage":{"input":5', 'not JSON'],
  ['a JSON array', '[{"usage":{"input":1}}]', 'not a JSON object'],
  ['JSON null', 'null', 'not a JSON object'],
  ['usage a number', event({ usage: 12 }), 'usage is not an object'],
  ['usage an array', event({ usage: [1, 2] }), 'usage is not an object'],
  ['a count as a string', event({ usage: { input: '5' } }), 'usage.input is not a token count'],
  ['a negative count', event({ usage: { output: -1 } }), 'usage.output is not a token count'],
  ['a count that is not finite', '{"message":{"usage":{"cacheRead":1e999}}}', 'usage.cacheRead is not a token count'],
  ['cacheWrite as a string', event({ usage: { input: 1, cacheWrite: '2' } }), 'usage.cacheWrite is not a token count'],
  ['the first bad count is named', event({ usage: { cacheRead: -1, cacheWrite: -1 } }), 'usage.cacheRead is not a token count'],
])('malformed: %s', (_name, text, why) => {
  expect(parseUsageEvent(text)).toStrictEqual({ kind: 'malformed', why });
});

test(`counts above ${MAX_TOKENS_PER_KIND} are capped (and say so); at it exactly they are not; fractions truncated`, () => {
  expect(recordOf(event({ usage: { input: MAX_TOKENS_PER_KIND + 1, output: 2.9 } }))).toMatchObject({ tokens: { input: MAX_TOKENS_PER_KIND, output: 2, cacheRead: 0, cacheWrite: 0 }, capped: true });
  expect(recordOf(event({ usage: { input: MAX_TOKENS_PER_KIND, output: 2.9 } }))).toMatchObject({ tokens: { input: MAX_TOKENS_PER_KIND, output: 2, cacheRead: 0, cacheWrite: 0 }, capped: false });
});

test('a message with tool calls and no tokens is still a record: its tool calls count for the breaker; no tokens and no tool call is none', () => {
  const message = {
    role: 'assistant',
    content: [{ type: 'toolCall', id: 't1', name: 'exec' }, { type: 'text', text: 'x' }, { type: 'toolCall', id: 't2', name: 'read' }, 'toolCall', null],
    provider: 'anthropic',
    model: 'claude-sonnet-4-6',
    timestamp: 1795251856981,
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  };
  const zero = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  expect(parseUsageEvent(JSON.stringify({ type: 'message', id: 'e3', message }))).toStrictEqual(record({ id: 'e3', model: 'anthropic/claude-sonnet-4-6', at: 1795251856981, tokens: zero, capped: false, toolCalls: 2 }));
  expect(parseUsageEvent(JSON.stringify({ type: 'message', id: 'e4', message: { ...message, content: [{ type: 'text', text: 'x' }] } }))).toStrictEqual({ kind: 'none' });
  expect(parseUsageEvent(JSON.stringify({ type: 'message', id: 'e5', message: { ...message, content: 'toolCall' } }))).toStrictEqual({ kind: 'none' });
});
