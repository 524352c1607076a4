import { randomBytes } from 'crypto';
import type { ResolvedConfig } from '../../../lib/config/schema';
import { agentSecretPointers } from '../../../lib/secrets/secrets-manifest';

/** An obviously fake value, new on every run. */
export const fakeValue = (label: string) => `FAKE-${label}-${randomBytes(12).toString('hex')}`;

/** A valid document for an agent of `config`: its required pointers, each with a fake value. */
export function documentFor(config: ResolvedConfig, agent: string): { doc: Record<string, Record<string, string>>; values: string[]; pointers: string[] } {
  const pointers = agentSecretPointers(config, agent);
  const doc: Record<string, Record<string, string>> = {};
  for (const p of pointers) {
    const [, top, leaf] = p.split('/');
    (doc[top!] ??= {})[leaf!] = fakeValue(`${top}-${leaf}`);
  }
  return { doc, values: pointers.map((p) => doc[p.split('/')[1]!]![p.split('/')[2]!]!), pointers };
}
