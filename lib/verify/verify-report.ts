/**
 * The outputs of a verify run: a table for the terminal, a JSON report, and a
 * "Verified live" section appended to the client x env's compliance report.
 */
import * as fs from 'fs';
import type { Drill } from './drill';
import type { CheckResult, LiveCheck } from './live-check';

/** What was verified, where and when. */
export interface VerifyRunInfo {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly verifiedAt: Date;
  /** Options that widen the run (`--write-probes`, drills). */
  readonly options: readonly string[];
}

export const countFailures = (results: readonly CheckResult[]) => results.filter((r) => r.status === 'fail').length;

const MARK = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

/** A plain-text table, one row per result, columns padded (the evidence column is last and unpadded). */
export function renderTable(results: readonly CheckResult[]): string {
  const rows = results.map((r) => [MARK[r.status], r.control, r.check, r.resource, r.evidence]);
  const head = ['RESULT', 'CONTROL', 'CHECK', 'RESOURCE', 'EVIDENCE'];
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i] ?? 0) : c)).join('  ').trimEnd();
  const passed = results.filter((r) => r.status === 'pass').length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const failed = countFailures(results);
  return [line(head), ...rows.map(line), '', `${passed} passed, ${failed} failed, ${skipped} skipped`].join('\n');
}

/** The JSON report. */
export function renderJson(info: VerifyRunInfo, results: readonly CheckResult[]): string {
  return JSON.stringify(
    {
      deployment: info.name,
      account: info.account,
      region: info.region,
      verifiedAt: info.verifiedAt.toISOString(),
      options: info.options,
      passed: countFailures(results) === 0,
      results,
    },
    null,
    2,
  );
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The Markdown section appended to the compliance report. */
export function renderReportSection(info: VerifyRunInfo, results: readonly CheckResult[]): string {
  const failed = countFailures(results);
  return [
    '',
    `## Verified live at ${info.verifiedAt.toISOString()}`,
    '',
    `- Result: **${failed === 0 ? 'PASSED' : `FAILED (${failed} failed check${failed === 1 ? '' : 's'})`}** (npm run verify${info.options.length ? ` ${info.options.join(' ')}` : ''})`,
    `- Account / region: ${info.account} / ${info.region}`,
    '',
    '| Result | Control | Check | Resource | Evidence |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${MARK[r.status]} | \`${r.control}\` | \`${r.check}\` | ${cell(r.resource)} | ${cell(r.evidence)} |`),
    '',
  ].join('\n');
}

/** Appends the section to `reportFile` (the synthesized compliance report). */
export function appendToComplianceReport(reportFile: string, info: VerifyRunInfo, results: readonly CheckResult[]): void {
  fs.appendFileSync(reportFile, renderReportSection(info, results));
}

/** The checks and drills as a Markdown table (npm run verify -- --list; docs/verify.md holds the same). */
export function renderCheckList(checks: readonly LiveCheck[], drills: readonly Drill[]): string {
  const lines = [
    '| Check | Control | What it proves | Runs | IAM actions |',
    '| --- | --- | --- | --- | --- |',
    ...checks.map((c) => {
      const runs = [c.daily ? 'daily + verify' : 'verify', c.needs === 'host' ? 'on the host (SSM)' : c.needs === 'write-probes' ? 'with --write-probes' : c.needs === 'edge-request' ? 'HTTPS through CloudFront' : ''].filter(Boolean).join(', ');
      return `| \`${c.id}\` | \`${c.control}\` | ${cell(c.title)} | ${runs} | ${c.iam.map((a) => `\`${a}\``).join(', ') || '-'} |`;
    }),
    '',
    '| Drill | What it does | Where |',
    '| --- | --- | --- |',
    ...drills.map((d) => `| \`--drill=${d.id}\` | ${cell(d.title)} | ${d.nonProdOnly ? 'dev and staging only (it changes the deployment)' : 'every environment'} |`),
  ];
  return lines.join('\n');
}
