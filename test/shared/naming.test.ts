import { deploymentName, hostLogGroupPrefix, hostMetricNamespace, verificationDocumentName } from '../../lib/shared/naming';
import { exampleConfig } from '../host/support/host-tools';

// The names lib/shared/naming.ts derives from a deployment: what the stacks create and what the
// host programs, the verify command and the runbook look for must be the same strings.

test('deployment name, host metric namespace, host log group prefix and verify document name', () => {
  const config = exampleConfig('dev');
  expect(deploymentName(config)).toBe(`${config.project.prefix}-example-dev`);
  expect(deploymentName({ ...config, client: 'acme', env: 'prod' })).toBe(`${config.project.prefix}-acme-prod`);
  expect(hostMetricNamespace('oc-acme-prod')).toBe('OpenClaw/oc-acme-prod');
  expect(hostLogGroupPrefix('oc-acme-prod')).toBe('/openclaw/oc-acme-prod/');
  expect(verificationDocumentName('oc-acme-prod')).toBe('oc-acme-prod-verify-host');
});
