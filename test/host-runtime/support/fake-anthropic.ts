import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../../support/fake-aws/server';

/** Token counts one fake model call reports, as the Anthropic Messages API names them. */
export interface FakeUsage {
  readonly input: number;
  readonly output: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

/** A tool the fake model asks to call (a tool_use block: its name and input). */
export interface FakeToolUse {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** One answer of the fake: the usage it reports, the text it streams, and the tools it asks for (stop_reason tool_use). */
export interface FakeTurn {
  readonly usage: FakeUsage;
  readonly text: string;
  readonly tools?: readonly FakeToolUse[];
}

/**
 * A stand-in Anthropic Messages API on 127.0.0.1 (POST /v1/messages, streaming):
 * each call takes the next turn of `turns` and streams it as the real API does
 * (message_start with input and cache token counts, one text block, message_delta
 * with the output tokens, message_stop; a turn with tools adds one tool_use block per tool and
 * stops for tool_use, and OpenClaw then calls again with the tools' results). OpenClaw's anthropic provider, pointed at
 * it with models.providers.anthropic.baseUrl, records the usage in its transcript
 * exactly as it would a real call's. Records each call and when it was answered.
 */
export async function startFakeAnthropic() {
  const turns: FakeTurn[] = [];
  const calls: { at: number; model: string; request: ReceivedRequest }[] = [];
  const answer = (req: ReceivedRequest): FakeAnswer => {
    if (req.method !== 'POST' || !req.url.startsWith('/v1/messages')) return { status: 404, headers: { 'content-type': 'application/json' }, body: '{}' };
    const body = JSON.parse(req.body.toString('utf8')) as { model?: string };
    const turn = turns.shift();
    if (!turn) return { status: 529, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'no turn queued' } }) };
    calls.push({ at: Date.now(), model: body.model ?? '', request: req });
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const u = turn.usage;
    const sse = [
      event('message_start', {
        message: {
          id: `msg_test_${calls.length}`,
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: u.input, output_tokens: 1, cache_read_input_tokens: u.cacheRead ?? 0, cache_creation_input_tokens: u.cacheWrite ?? 0 },
        },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: turn.text } }),
      event('content_block_stop', { index: 0 }),
      ...(turn.tools ?? []).flatMap((t, i) => [
        event('content_block_start', { index: i + 1, content_block: { type: 'tool_use', id: `toolu_test_${calls.length}_${i}`, name: t.name, input: {} } }),
        event('content_block_delta', { index: i + 1, delta: { type: 'input_json_delta', partial_json: JSON.stringify(t.input) } }),
        event('content_block_stop', { index: i + 1 }),
      ]),
      event('message_delta', { delta: { stop_reason: turn.tools?.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } }),
      event('message_stop', {}),
    ].join('');
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: sse };
  };
  const server = await startFakeServer(answer);
  return { ...server, turns, calls };
}

export type FakeAnthropic = Awaited<ReturnType<typeof startFakeAnthropic>>;
