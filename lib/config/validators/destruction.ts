/**
 * Data destruction needs two deliberate steps: the config exception for
 * `data-retention`, and `-c confirmDataDestruction=<client>-<env>` on the
 * command line. The exception is checked by the loader (lib/config/exceptions.ts);
 * this is the confirmation.
 */
import type { ConfigProblem } from '../errors';
import type { LoadedConfig } from '../load';
import { originOf } from '../merge';

/** A problem at dataProtection.retainOnDelete when it is false and `<client>-<env>` is not among `confirmed`. */
export function checkDestructionConfirmed(loaded: LoadedConfig, confirmed: readonly string[]): ConfigProblem[] {
  const { config } = loaded;
  const id = `${config.client}-${config.env}`;
  if (config.dataProtection.retainOnDelete || confirmed.includes(id)) return [];
  const origin = originOf(loaded.merged, ['dataProtection', 'retainOnDelete']);
  return [
    {
      file: origin?.file,
      line: origin?.line,
      path: 'dataProtection.retainOnDelete',
      message:
        `false deletes keys, secrets and logs with the stacks of ${id}; the exception is approved, now confirm it on the ` +
        `command line with -c confirmDataDestruction=${id}`,
    },
  ];
}
