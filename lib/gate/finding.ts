/** Something that stops a deployment from passing the gate. */
export interface GateFinding {
  /** The rule pack or check that raised it. */
  readonly source: string;
  readonly rule: string;
  /** Construct path (or stack/logical ID) of the offending resource. */
  readonly resource: string;
  readonly message: string;
  /** How to fix it, when the rule says. */
  readonly fix?: string;
}

export function formatFinding(f: GateFinding): string {
  return `[${f.source}] ${f.rule} at ${f.resource}: ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}`;
}

/** Raised when a synthesized deployment does not pass the gate. */
export class GateError extends Error {
  constructor(
    readonly findings: readonly GateFinding[],
    readonly reports: readonly string[],
  ) {
    super(
      `Gate failed: ${findings.length} unacknowledged finding${findings.length === 1 ? '' : 's'}. Fix each one ` +
        '(or, where it truly cannot apply, acknowledge it on that one resource with a reason: see docs/gate.md, "Acknowledging a finding").\n' +
        findings.map((f) => `  - ${formatFinding(f)}`).join('\n') +
        (reports.length ? `\nCompliance reports (marked FAILED): ${reports.join(', ')}` : ''),
    );
    this.name = 'GateError';
  }
}
