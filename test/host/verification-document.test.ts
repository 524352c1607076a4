import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CONTROL_DIMENSION, CONTROL_DRIFTED_METRIC, CONTROLS_DRIFTED_METRIC } from '../../lib/alarms/controls-drift-metrics';
import { verificationDocumentContent } from '../../lib/host/live-document';
import { hostLiveSettings } from '../../lib/host/live-settings';
import { VerificationDocument } from '../../lib/host/verification-document';
import { deploymentName, verificationDocumentName } from '../../lib/shared/naming';
import { exampleConfig } from './support/host-tools';

// The SSM Command document `npm run verify` runs on the host (lib/host/verification-document.ts)
// on a bare stack: its name, type, format, NewVersion updates (so a content change keeps the
// name: CloudFormation writes a new version), and the collector as content.

test('one Command document, named <deployment>-verify-host, JSON, updated as a new version, with the collector', () => {
  const config = exampleConfig('prod');
  const stack = new Stack(new App(), 'Gateway', { env: { account: config.aws.account, region: config.aws.region } });
  const doc = new VerificationDocument(stack, 'Verify', { config });
  const name = deploymentName(config);
  expect(doc.documentName).toBe(verificationDocumentName(name));
  expect(doc.documentName).toBe(`${name}-verify-host`);
  const docs = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Document'));
  expect(docs).toEqual([
    {
      Type: 'AWS::SSM::Document',
      Properties: {
        Name: `${name}-verify-host`,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        UpdateMethod: 'NewVersion',
        Content: verificationDocumentContent(name, hostLiveSettings(config)),
      },
    },
  ]);
});

test("the daily drift check's metric names (published by the Lambda, watched by the alarm)", () => {
  expect([CONTROL_DRIFTED_METRIC, CONTROLS_DRIFTED_METRIC, CONTROL_DIMENSION]).toEqual(['ControlDrifted', 'ControlsDrifted', 'Control']);
});
