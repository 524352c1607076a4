/**
 * A verify context with one AWS client of the fake deployment wrapped, for the edges a fake does
 * not model (an answer without a field, a throttled call, a page token): the checks and drills
 * get the wrapped client, every other client is the context's own. The new context sits on top
 * of the given one (its memo and settings shared through the prototype), so wrappings compose.
 */
import type { VerifyContext } from '../../../lib/verify/verify-context';

/** What a check sends through a client. */
export interface SendOnly {
  send: (command: unknown) => Promise<unknown>;
}

/** `c` with the client of class `kind` replaced by `wrap(the real one)`. */
export function withClient(c: VerifyContext, kind: unknown, wrap: (real: SendOnly) => SendOnly): VerifyContext {
  const w = Object.create(c) as VerifyContext & { client: (k: unknown, region?: string) => unknown };
  w.client = ((k: unknown, region?: string) => (k === kind ? wrap(c.client(k as never, region) as never) : c.client(k as never, region))) as never;
  return w;
}

/** `c` whose `kind` client answers each command of class `type` with `answer(its input, the real answer)`; other commands go through. */
export function answering(
  c: VerifyContext,
  kind: unknown,
  type: abstract new (...a: never[]) => unknown,
  answer: (input: Record<string, unknown>, real: () => Promise<Record<string, unknown>>) => Promise<unknown> | unknown,
): VerifyContext {
  return withClient(c, kind, (real) => ({
    send: async (cmd) => (cmd instanceof type ? answer((cmd as { input: Record<string, unknown> }).input, () => real.send(cmd) as Promise<Record<string, unknown>>) : real.send(cmd)),
  }));
}
