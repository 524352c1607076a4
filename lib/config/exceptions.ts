import type { ConfigProblem } from './errors';
import { HARDENED_CONTROLS } from './hardened-controls';
import { formatPath } from './key-path';
import { originOf, type MergedConfig } from './merge';
import type { DeploymentConfig } from './schema';

/** The longest an exception may be approved for before it must be reviewed again. */
export const MAX_EXCEPTION_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Cross-checks hardened defaults against `exceptions`: a weakened control needs
 * an unexpired exception; an exception must weaken something, once, and not
 * for longer than MAX_EXCEPTION_DAYS.
 */
export function checkExceptions(
  config: DeploymentConfig & { readonly env: string },
  merged: MergedConfig,
  now: Date,
  /** The layer files, base first; a control weakened by a key no layer sets is reported in the last (most specific) one. */
  files: readonly string[] = [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (path: (string | number)[], message: string) => {
    const origin = originOf(merged, path);
    problems.push({ file: origin?.file, line: origin?.line, path: formatPath(path), message });
  };

  const seen = new Set<string>();
  config.exceptions.forEach((ex, i) => {
    const control = HARDENED_CONTROLS.find((c) => c.id === ex.control);
    if (seen.has(ex.control)) at(['exceptions', i, 'control'], `a second exception for "${ex.control}"; keep one entry per control`);
    seen.add(ex.control);
    const expires = Date.parse(`${ex.expires}T00:00:00Z`);
    if (expires < today) {
      at(['exceptions', i, 'expires'], `exception for "${ex.control}" expired on ${ex.expires}; renew it with a fresh approval, or restore the hardened default`);
    } else if (expires - today > MAX_EXCEPTION_DAYS * DAY_MS) {
      at(['exceptions', i, 'expires'], `found ${ex.expires}; expected an expiry at most ${MAX_EXCEPTION_DAYS} days ahead, so the exception is reviewed at least yearly`);
    }
    if (control && !control.isWeakened(config)) {
      at(['exceptions', i, 'control'], `stale exception: "${ex.control}" is not weakened by this config (${control.path} keeps its hardened value); remove the entry`);
    }
  });

  for (const control of HARDENED_CONTROLS) {
    if (!control.isWeakened(config)) continue;
    const covering = config.exceptions.find((ex) => ex.control === control.id);
    if (covering) continue;
    const fix = `add to exceptions: { control: ${control.id}, reason, approvedBy, expires }`;
    const keyPath = control.path.split('.');
    if (merged.origins.has(formatPath(keyPath)) || files.length === 0) {
      at(keyPath, `weakens the hardened control "${control.id}" (${control.title}) without an exception; restore the hardened default, or ${fix}`);
    } else {
      // The hardened setting is one that must be added (e.g. a custom domain): name the file to add it to.
      problems.push({
        file: files[files.length - 1],
        path: control.path,
        message:
          `not set in any of: ${files.join(', ')}; the hardened control "${control.id}" (${control.title}) needs it in environment ` +
          `"${config.env}". Set ${control.path}, or ${fix}`,
      });
    }
  }
  return problems;
}

/** Exceptions in force, with what they weaken, for the compliance report. */
export function describeExceptions(config: DeploymentConfig) {
  return config.exceptions.map((ex) => {
    const control = HARDENED_CONTROLS.find((c) => c.id === ex.control);
    return { ...ex, title: control?.title ?? ex.control, path: control?.path ?? '' };
  });
}
