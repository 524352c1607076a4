import { removalPolicyFor } from '../shared/retention';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledgeImportedLogGroupKey } from '../gate/acknowledge';

export interface SessionLoggingProps {
  /** `<prefix>-<client>-<env>`: names the document and the log group. */
  readonly deploymentName: string;
  /** The deployment key: encrypts the log group and, end to end, the session stream. */
  readonly key: kms.IKey;
  /** How long the log group keeps session records (config logs.retentionDays). */
  readonly retentionDays: logs.RetentionDays;
  /** Keep the log group when it leaves the stack. Only the data-destruction opt-in turns this off. @default true */
  readonly retainOnDelete?: boolean;
}

/**
 * Break-glass sessions, recorded: a Session Manager document for this
 * deployment whose sessions stream to a KMS-encrypted, retained log group
 * and are themselves KMS-encrypted end to end. Operators start sessions with
 * `--document-name <prefix>-<client>-<env>-session` (docs/host.md, "The host"). A per-deployment
 * document, not the account-wide SSM-SessionManagerRunShell, so several
 * clients coexist in one account.
 */
export class SessionLogging extends Construct {
  readonly logGroup: logs.LogGroup;
  readonly documentName: string;

  constructor(scope: Construct, id: string, props: SessionLoggingProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Sessions', {
      logGroupName: `/openclaw/${props.deploymentName}/ssm-sessions`,
      encryptionKey: props.key,
      retention: props.retentionDays,
      removalPolicy: removalPolicyFor(props.retainOnDelete),
    });
    acknowledgeImportedLogGroupKey(this.logGroup);
    this.documentName = `${props.deploymentName}-session`;
    new ssm.CfnDocument(this, 'Document', {
      name: this.documentName,
      documentType: 'Session',
      documentFormat: 'JSON',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '1.0',
        description: `Break-glass shell on the ${props.deploymentName} gateway host, logged and encrypted`,
        sessionType: 'Standard_Stream',
        inputs: {
          cloudWatchLogGroupName: this.logGroup.logGroupName,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
          kmsKeyId: props.key.keyArn,
          runAsEnabled: false,
          idleSessionTimeout: '20',
          maxSessionDuration: '60',
          shellProfile: { linux: 'exec /bin/bash -l' },
        },
      },
    });
  }
}
