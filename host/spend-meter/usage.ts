/**
 * One usage record out of one OpenClaw transcript event, parsed defensively (pure).
 *
 * OpenClaw 2026.9.6 records each model call as the assistant message it produced,
 * one transcript event (JSON) of the session, for example (see store.ts for where):
 *   {"type":"message","id":"681c...","parentId":"d451...","timestamp":"2026-11-21T09:04:17.143Z",
 *    "message":{"role":"assistant","content":[...],"api":"anthropic-messages",
 *      "provider":"anthropic","model":"claude-sonnet-4-6",
 *      "usage":{"input":1000000,"output":200000,"cacheRead":0,"cacheWrite":0,"totalTokens":1200000,
 *               "cost":{"input":0,"output":0,"cacheRead":0,"cacheWrite":0,"total":0},...},
 *      "stopReason":"stop","timestamp":1795251856981,"responseId":"msg_1",...}}
 * As OpenClaw's own cost report (session-cost-usage: parseUsageCostTranscriptRecord)
 * does, usage is message.usage (else the event's usage), the model message.provider +
 * message.model (else the event's), the time message.timestamp (ms; else the event's
 * ISO timestamp). The token counts are the normalized fields OpenClaw persists:
 * input, output, cacheRead, cacheWrite (cacheWrite1h, when present, is part of
 * cacheWrite). The recorded `cost` is ignored: the meter prices with its own table.
 *
 * The tool calls the model asked for in that message are its content blocks of type
 * "toolCall" ({"type":"toolCall","id":"toolu_...","name":"exec","arguments":{...}}, as
 * OpenClaw's transcript stores them; the tool's answer is a later toolResult message):
 * the breaker counts them (toolCallsPer5Min).
 *
 * Never trusted: anything not of that shape is malformed (counted, never priced);
 * a count above MAX_TOKENS_PER_KIND is capped to it.
 */
import { MAX_TOKENS_PER_KIND, type Tokens } from './pricing';

/** A model call's usage, as the meter prices it. */
export interface UsageRecord {
  /** The event's id (unique in its session), when it has one. */
  readonly id?: string;
  /** `<provider>/<model>`; `unknown` for a part the event does not name. */
  readonly model: string;
  /** When the call happened (ms), when the event says; else the caller uses the row's time. */
  readonly at?: number;
  readonly tokens: Tokens;
  /** Some count was above MAX_TOKENS_PER_KIND and was capped. */
  readonly capped: boolean;
  /** Tool calls the model asked for in this message (content blocks of type toolCall). */
  readonly toolCalls: number;
}

/** Most tool calls one message may claim (more are counted as this many). */
export const MAX_TOOL_CALLS_PER_MESSAGE = 10_000;

export type ParsedEvent = { readonly kind: 'usage'; readonly record: UsageRecord } | { readonly kind: 'none' } | { readonly kind: 'malformed'; readonly why: string };

const NONE = { kind: 'none' } as const;
const malformed = (why: string): ParsedEvent => ({ kind: 'malformed', why });

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A model id part: printable, no `/`-only oddities, bounded (it becomes a metric dimension value). */
function idPart(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  // Empty (or only spaces) fails the pattern: one or more printable characters.
  if (s.length > 120 || !/^[\x21-\x7e]+$/.test(s)) return undefined;
  return s;
}

/** The time of the call: message.timestamp (ms), else the event's ISO timestamp; undefined if neither is sane. */
function eventTime(event: Json, message: Json): number | undefined {
  const ms = message.timestamp;
  if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0 && ms < 8.64e15) return Math.trunc(ms);
  const iso = event.timestamp;
  if (typeof iso === 'string' && iso.length <= 40) {
    const t = Date.parse(iso);
    if (Number.isFinite(t)) return t;
  }
  return undefined;
}

/**
 * Parses one transcript event (its JSON text). `none`: not a model call's usage
 * (a user message, a tool result, a call that used no token); `malformed`: not
 * JSON, or usage of the wrong shape.
 */
export function parseUsageEvent(text: string): ParsedEvent {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return malformed('not JSON');
  }
  if (!isObject(event)) return malformed('not a JSON object');
  const message = isObject(event.message) ? event.message : {};
  const usage = message.usage ?? event.usage;
  if (usage === undefined || usage === null) return NONE;
  if (!isObject(usage)) return malformed('usage is not an object');
  let capped = false;
  const count = (key: keyof Tokens): number | undefined => {
    const v = usage[key];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
    if (v > MAX_TOKENS_PER_KIND) {
      capped = true;
      return MAX_TOKENS_PER_KIND;
    }
    return Math.trunc(v);
  };
  const tokens = { input: count('input'), output: count('output'), cacheRead: count('cacheRead'), cacheWrite: count('cacheWrite') };
  const bad = (Object.keys(tokens) as (keyof Tokens)[]).filter((k) => tokens[k] === undefined);
  if (bad.length > 0) return malformed(`usage.${bad[0]} is not a token count`);
  const t = tokens as Tokens;
  const content = message.content;
  const toolCalls = Array.isArray(content) ? Math.min(content.filter((b) => isObject(b) && b.type === 'toolCall').length, MAX_TOOL_CALLS_PER_MESSAGE) : 0;
  if (t.input + t.output + t.cacheRead + t.cacheWrite === 0 && toolCalls === 0) return NONE;
  const provider = idPart(message.provider) ?? idPart(event.provider) ?? 'unknown';
  const model = idPart(message.model) ?? idPart(event.model) ?? 'unknown';
  // An empty id is no id: the record below takes `id` only when it is not ''.
  const id = typeof event.id === 'string' && event.id.length <= 200 ? event.id : undefined;
  const at = eventTime(event, message);
  return { kind: 'usage', record: { ...(id ? { id } : {}), model: `${provider}/${model}`, ...(at !== undefined ? { at } : {}), tokens: t, capped, toolCalls } };
}
