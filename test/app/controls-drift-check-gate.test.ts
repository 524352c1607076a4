import { buildSync } from 'esbuild';
import { nodeBundleOptions } from '../../lib/bundling/esbuild-options';
import { buildForTest, gateFindings } from '../support/build';

// The daily drift check (lib/alarms/controls-drift-check.ts) in the whole app: the gate on
// example/prod with it in the Spend stack, and its function's bundle. Its construct on a bare
// stack: controls-drift-check.test.ts.

test('the gate (cdk-nag, cfn-guard, the IAM reference checks) passes example/prod with the drift check in its Spend stack', () => {
  const built = buildForTest({ client: 'example', env: 'prod' });
  expect(built.deployments[0]!.stage.spend.controlsDrift.function.node.path).toContain('Spend/ControlsDriftCheck');
  expect(gateFindings(built)).toEqual([]);
}, 120_000);

test('the function\'s bundle holds the checks and the SDK clients, not aws-cdk-lib', () => {
  const out = buildSync({ ...nodeBundleOptions('lambda/verify-controls/index.ts', 'node24'), metafile: true });
  const inputs = Object.keys(out.metafile!.inputs);
  expect(inputs.filter((i) => /node_modules\/(aws-cdk-lib|constructs|cdk-nag)\//.test(i))).toEqual([]);
  expect(inputs).toEqual(expect.arrayContaining(['lib/verify/all-checks.ts', 'lib/verify/deployment-checks.ts']));
  expect(out.outputFiles[0]!.text.length).toBeLessThan(3_000_000);
});
