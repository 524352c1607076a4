/**
 * The log group of one of the deployment's Lambda functions, made before the
 * function so that it is encrypted with the deployment key, kept for the
 * configured retention and retained like the other logs (Lambda would
 * otherwise create an unencrypted one that never expires).
 */
import { Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeImportedLogGroupKey } from '../gate/acknowledge';
import { removalPolicyFor } from './retention';

export interface FunctionLogGroupProps {
  /** The function's name: the group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** The deployment key: encrypts the group. */
  readonly key: kms.IKey;
  /** How long the group keeps events (config logs.retentionDays). */
  readonly logRetentionDays: logs.RetentionDays;
  /** Keep the group when it leaves the stack. @default true */
  readonly retainOnDelete?: boolean;
}

/** Adds the log group (construct ID `Logs`) under `scope`. */
export function functionLogGroup(scope: Construct, props: FunctionLogGroupProps): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: `/aws/lambda/${props.functionName}`,
    encryptionKey: props.key,
    retention: props.logRetentionDays,
    removalPolicy: removalPolicyFor(props.retainOnDelete),
  });
  if (Stack.of(props.key) !== Stack.of(scope)) acknowledgeImportedLogGroupKey(logGroup);
  return logGroup;
}
