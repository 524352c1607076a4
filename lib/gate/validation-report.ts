import * as fs from 'fs';
import * as path from 'path';

/**
 * The parts of CDK's validation-report.json (cloud assembly schema 55) the gate
 * reads. CDK always writes a report's violations and a violation's violating
 * constructs (constructPath '' and no cloudFormationResource when it cannot place
 * one), and a suppressed violation's acknowledgedId. A violation's description is
 * copied from the plugin as given: the plugin contract requires it, but a plugin
 * may leave it out, and JSON then has none.
 */
export interface ReportedResource {
  readonly constructPath?: string;
  readonly cloudFormationResource?: { readonly templatePath?: string; readonly logicalId?: string };
}
export interface ReportedViolation {
  readonly ruleName: string;
  readonly description?: string;
  readonly suggestedFix?: string;
  readonly severity?: string;
  readonly violatingConstructs: readonly ReportedResource[];
  readonly acknowledgedId?: string;
  readonly acknowledgedAt?: string;
  readonly reason?: string;
}
export interface PluginReport {
  readonly pluginName: string;
  readonly conclusion?: string;
  readonly violations: readonly ReportedViolation[];
  readonly suppressedViolations?: readonly ReportedViolation[];
  readonly metadata?: Record<string, unknown>;
}

export const VALIDATION_REPORT_FILE = 'validation-report.json';

/**
 * Reads the validation report that synthesis wrote. Its absence means the
 * validation plugins did not run, which the gate treats as a failure.
 */
export function readValidationReport(outdir: string): readonly PluginReport[] | undefined {
  const file = path.join(outdir, VALIDATION_REPORT_FILE);
  if (!fs.existsSync(file)) return undefined;
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports?: PluginReport[] };
  return parsed.pluginReports ?? [];
}
