/**
 * Loopback stand-ins for the two outside services an agent turn of the example reaches,
 * for test/openclaw/audit-agent-turns.test.ts: the Anthropic Messages API (the model) and
 * the Telegram Bot API (the support agent's channel). OpenClaw is pointed at them in the
 * test's copy of openclaw.json (models.providers.anthropic.baseUrl, channels.telegram.apiRoot);
 * both are loopback URLs, which OpenClaw's managed proxy (loopbackMode gateway-only) lets
 * through directly.
 */
import { startFakeServer, type FakeAnswer, type ReceivedRequest } from '../../support/fake-aws/server';

/** One answer of the fake model: a tool call, or a final text. */
export type ModelStep = { readonly tool: string; readonly input: Record<string, unknown> } | { readonly text: string };

const json = (status: number, body: unknown): FakeAnswer => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * A stand-in Anthropic Messages API (POST /v1/messages, streaming, as the real API streams):
 * each call takes the next step of `steps` and answers it as one tool_use block (stop_reason
 * tool_use) or one text block (end_turn). An unexpected call gets 529 overloaded.
 */
export async function startFakeModel() {
  const steps: ModelStep[] = [];
  const requests: ReceivedRequest[] = [];
  let n = 0;
  const server = await startFakeServer((req) => {
    if (req.method !== 'POST' || !req.url.startsWith('/v1/messages')) return json(404, {});
    requests.push(req);
    const step = steps.shift();
    if (!step) return json(529, { type: 'error', error: { type: 'overloaded_error', message: 'no step queued' } });
    n += 1;
    const model = (JSON.parse(req.body.toString('utf8')) as { model?: string }).model;
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const usage = { input_tokens: 100, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const block =
      'tool' in step
        ? [
            event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_audit_${n}`, name: step.tool, input: {} } }),
            event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(step.input) } }),
            event('content_block_stop', { index: 0 }),
            event('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } }),
          ]
        : [
            event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
            event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: step.text } }),
            event('content_block_stop', { index: 0 }),
            event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }),
          ];
    const sse = [
      event('message_start', { message: { id: `msg_audit_${n}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } }),
      ...block,
      event('message_stop', {}),
    ].join('');
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: sse };
  });
  return { ...server, steps, requests };
}

/** A message the fake Telegram was asked to send. */
export interface SentMessage {
  readonly chatId: string;
  readonly text: string;
}

/**
 * A stand-in Telegram Bot API (<root>/bot<token>/<method>): getMe answers a bot,
 * getUpdates holds the long poll open (no update ever arrives), sendMessage records the
 * message and answers it sent, any other method answers ok.
 */
export async function startFakeTelegram() {
  const sent: SentMessage[] = [];
  const calls: string[] = [];
  const server = await startFakeServer((req) => {
    const m = /^\/bot[^/]+\/([A-Za-z]+)/.exec(req.url);
    if (!m) return json(404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = m[1]!;
    calls.push(method);
    const type = String(req.headers['content-type'] ?? '');
    const raw = req.body.toString('utf8');
    const params: Record<string, unknown> = type.includes('json') && raw ? (JSON.parse(raw) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw || req.url.split('?')[1] || ''));
    if (method === 'getUpdates') return 'hang';
    if (method === 'getMe') return json(200, { ok: true, result: { id: 7000000001, is_bot: true, first_name: 'Support', username: 'support_audit_test_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false } });
    if (method === 'sendMessage') {
      sent.push({ chatId: String(params.chat_id), text: String(params.text) });
      return json(200, { ok: true, result: { message_id: 100 + sent.length, date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id), type: 'private', first_name: 'Customer' }, text: String(params.text) } });
    }
    return json(200, { ok: true, result: true });
  });
  return { ...server, sent, calls };
}
