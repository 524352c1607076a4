/** One thing wrong with the configuration, located as precisely as we can. */
export interface ConfigProblem {
  /** Repo-relative file that set (or should set) the offending value. */
  readonly file?: string;
  /** 1-based line in that file, when known. */
  readonly line?: number;
  /** Dotted key path, e.g. `aws.account` or `exceptions[0].expires`. */
  readonly path?: string;
  /** What was found and what was expected. */
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : 'config';
  return `${where}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Raised for any invalid configuration; the message lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
