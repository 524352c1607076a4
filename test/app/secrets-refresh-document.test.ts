import { App, type CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecretsRefreshDocument } from '../../lib/secrets/secrets-refresh-document';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';

// The secrets refresh document on a bare stack (not the whole app): a Command document,
// named per deployment, that only starts the refresh unit (no parameters, no free-form shell).

const build = (deploymentName: string) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account: '123456789012', region: 'eu-west-1' } });
  const doc = new SecretsRefreshDocument(stack, 'SecretsRefresh', { deploymentName });
  return { stack, doc, resources: Template.fromStack(stack).toJSON().Resources as Record<string, unknown> };
};
const acme = build('openclaw-acme-prod');
const beta = build('openclaw-beta-dev');

test('named per deployment', () => {
  expect(acme.doc.documentName).toBe('openclaw-acme-prod-refresh-secrets');
  expect(beta.doc.documentName).toBe('openclaw-beta-dev-refresh-secrets');
});

test.each([
  ['openclaw-acme-prod', acme],
  ['openclaw-beta-dev', beta],
])('%s: one Command document that starts openclaw-secrets-refresh.service and nothing else: no parameters, 90 s timeout, new versions on update', (name, built) => {
  expect(Object.values(built.resources)).toEqual([
    {
      Type: 'AWS::SSM::Document',
      Properties: {
        Name: `${name}-refresh-secrets`,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        UpdateMethod: 'NewVersion',
        Content: {
          schemaVersion: '2.2',
          description: `Re-read the secrets of the ${name} gateway host (nginx reloads on a new origin-verify value, the gateway restarts on a new token or agent key)`,
          mainSteps: [
            {
              action: 'aws:runShellScript',
              name: 'refreshSecrets',
              inputs: { timeoutSeconds: '90', runCommand: ['systemctl start openclaw-secrets-refresh.service'] },
            },
          ],
        },
      },
    },
  ]);
  expect(built.stack.getLogicalId(built.doc.node.findChild('Document') as CfnResource)).toMatch(/^SecretsRefreshDocument[0-9A-F]{8}$/);
});

test('acknowledges nothing', () => {
  expect(collectAcknowledgements(acme.stack)).toEqual([]);
});
