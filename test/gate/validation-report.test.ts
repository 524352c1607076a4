import * as fs from 'fs';
import * as path from 'path';
import { readValidationReport, VALIDATION_REPORT_FILE } from '../../lib/gate/validation-report';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';

/** Temporary output folders, removed after the tests (mutation testing runs them many times). */
const tempDir = tempDirsRemovedAfterAll();

// Reading the validation report synthesis writes (its absence means the packs did not run).

const outdir = () => tempDir('gate-report-');

test('the report is CDK\'s validation-report.json in the output folder', () => {
  expect(VALIDATION_REPORT_FILE).toBe('validation-report.json');
});

test('no report file: undefined (the gate reports that validation did not run)', () => {
  expect(readValidationReport(outdir())).toBeUndefined();
});

test('the plugin reports of the file, as written', () => {
  const dir = outdir();
  const reports = [{ pluginName: 'AwsSolutions', conclusion: 'failure', violations: [{ ruleName: 'AwsSolutions-SNS3', description: 'd', violatingConstructs: [{ constructPath: 'S/Topic' }] }] }];
  fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({ version: '55.0.0', title: 'Validation Report', pluginReports: reports }));
  expect(readValidationReport(dir)).toEqual(reports);
});

test('a report without pluginReports has none', () => {
  const dir = outdir();
  fs.writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify({ version: '55.0.0', title: 'Validation Report' }));
  expect(readValidationReport(dir)).toEqual([]);
});

test('a report that is not JSON fails loudly, not as "no findings"', () => {
  const dir = outdir();
  fs.writeFileSync(path.join(dir, 'validation-report.json'), '{ truncated');
  expect(() => readValidationReport(dir)).toThrow(SyntaxError);
});
