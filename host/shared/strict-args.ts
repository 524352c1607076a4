/**
 * The command line of the host's Node programs (fetch-secrets, spend-meter,
 * agent-audit, gateway-probe): Node's own parseArgs, strict (an unknown or repeated-as-wrong
 * option, or a positional argument, is refused), its first error line handed to
 * the program's own usage error.
 */
import { parseArgs } from 'util';

/** The options a program accepts: each a string or a boolean flag. */
export type StrictOptions = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

/** The parsed values of `argv` (without node and the script); `fail` turns parseArgs's refusal into the program's error. */
export function strictArgs(argv: readonly string[], options: StrictOptions, fail: (message: string) => Error): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options: { ...options } }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    throw fail((e as Error).message.split('\n')[0]!);
  }
}

/**
 * A whole-number option from `min` to `max`: `fallback` when absent (none: the option is
 * required), else refused through `fail` with a message naming the option and what it got.
 */
export function integerOption(name: string, raw: string | undefined, fallback: number | undefined, min: number, max: number, fail: (message: string) => Error): number {
  if (raw === undefined) {
    if (fallback === undefined) throw fail(`--${name} is required`);
    return fallback;
  }
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw fail(`--${name}: expected an integer from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
}
