import * as fs from 'fs';
import * as path from 'path';
import type { CheckResult } from '../../lib/verify/live-check';
import { appendToComplianceReport, countFailures, renderJson, renderReportSection, renderTable } from '../../lib/verify/verify-report';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';

const tempDir = tempDirsRemovedAfterAll();
const info = { name: 'oc-example-dev', account: '111111111111', region: 'eu-west-1', verifiedAt: new Date('2026-12-06T10:00:00Z'), options: ['--write-probes'] };
const results: CheckResult[] = [
  { check: 'host.imdsv2', control: 'ec2-imdsv2', status: 'pass', resource: 'i-0abc', evidence: 'HttpTokens required, hop limit 1' },
  { check: 'audit.lock', control: 's3-object-locked', status: 'fail', resource: 'bucket|a', evidence: 'GOVERNANCE 30 days; expected COMPLIANCE 365 days' },
  { check: 'edge.request', control: 'edge-reaches-gateway', status: 'skip', resource: '(none)', evidence: 'not requested' },
];

describe('verify outputs', () => {
  it('the table has one row per result, aligned, and a count line', () => {
    const lines = renderTable(results).split('\n');
    expect(lines[0]).toMatch(/^RESULT +CONTROL +CHECK +RESOURCE +EVIDENCE$/);
    expect(lines[2]).toMatch(/^FAIL +s3-object-locked +audit\.lock +bucket\|a +GOVERNANCE 30 days; expected COMPLIANCE 365 days$/);
    expect(new Set(lines.slice(0, 4).map((l) => l.indexOf(l.trim().split(/ +/)[1]!)))).toEqual(new Set([lines[0]!.indexOf('CONTROL')]));
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped');
  });

  it('the JSON report says whether every check passed', () => {
    const json = JSON.parse(renderJson(info, results)) as Record<string, unknown>;
    expect(json).toMatchObject({ deployment: 'oc-example-dev', account: '111111111111', verifiedAt: '2026-12-06T10:00:00.000Z', passed: false, options: ['--write-probes'] });
    expect(json.results).toEqual(results);
    expect((JSON.parse(renderJson(info, [results[0]!])) as { passed: boolean }).passed).toBe(true);
    expect(countFailures(results)).toBe(1);
  });

  it('appends a "Verified live" section to the compliance report, pipes escaped', () => {
    const file = path.join(tempDir('oc-verify-report-'), 'compliance-example-dev.md');
    fs.writeFileSync(file, '# Compliance report: example / dev\n');
    appendToComplianceReport(file, info, results);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('# Compliance report: example / dev\n\n## Verified live at 2026-12-06T10:00:00.000Z\n')).toBe(true);
    expect(text).toContain('- Result: **FAILED (1 failed check)** (npm run verify --write-probes)');
    expect(text).toContain('| FAIL | `s3-object-locked` | `audit.lock` | bucket\\|a | GOVERNANCE 30 days; expected COMPLIANCE 365 days |');
    expect(renderReportSection(info, [results[0]!])).toContain('- Result: **PASSED**');
  });
});
