import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledgeFinding, nagPartition } from '../gate/acknowledge';
import { ActionsWithoutResourcePolicy } from '../shared/actions-without-resource-policy';
import { hostLogGroupPrefix, hostMetricNamespace } from '../shared/naming';
import { EDGE_REGION } from '../secrets/secrets-manifest';

export interface GatewayRoleProps {
  /** `<prefix>/<client>/<env>`: the secret name prefix of this deployment. */
  readonly secretPrefix: string;
  /** `<prefix>-<client>-<env>`: names log groups and the metric namespace. */
  readonly deploymentName: string;
  /** Keys whose secrets the host reads (the regional deployment key). */
  readonly keys: readonly kms.IKey[];
}


/**
 * The gateway host's role: only what the host needs. Read its own
 * client x environment's secrets (in its region and the us-east-1
 * origin-verify secret) and decrypt them through Secrets Manager only; write
 * its own log groups; publish metrics to its own namespace; SSM core for
 * Session Manager; and, added by the gateway stack, download its deployment
 * bundle (allowReadObject) and attach its state volume to itself
 * (allowAttachStateVolume). Nothing account-wide.
 */
export class GatewayRole extends iam.Role {
  /** The host's own managed policy; further least-privilege grants go here, not inline. */
  readonly hostPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: GatewayRoleProps) {
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `OpenClaw gateway host of ${props.deploymentName}: own secrets, logs and metrics only`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    const stack = Stack.of(this);
    const policy = (this.hostPolicy = new iam.ManagedPolicy(this, 'HostPolicy', {
      description: `Least privilege of the ${props.deploymentName} gateway host`,
      statements: [
        new iam.PolicyStatement({
          // The origin-verify secret lives with CloudFront in us-east-1; the edge stack depends
          // on this one, so its ARN is named here: the one secret name, any 6-character suffix.
          sid: 'ReadOwnOriginVerifySecret',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [
            stack.formatArn({
              service: 'secretsmanager',
              region: EDGE_REGION,
              resource: 'secret',
              resourceName: `${props.secretPrefix}/origin-verify-??????`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
        new iam.PolicyStatement({
          // Secrets Manager decrypts the host's secrets with it, and the SSM agent
          // decrypts the KMS-encrypted break-glass session stream with it.
          sid: 'DecryptWithOwnKeys',
          actions: ['kms:Decrypt'],
          resources: props.keys.map((k) => k.keyArn),
        }),
        new iam.PolicyStatement({
          // The origin-verify secret sits in us-east-1 under the edge key, whose ARN this
          // region cannot reference; the key is named by its alias instead.
          sid: 'DecryptWithOwnEdgeKey',
          actions: ['kms:Decrypt'],
          resources: [stack.formatArn({ service: 'kms', region: 'us-east-1', resource: 'key', resourceName: '*' })],
          conditions: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${props.secretPrefix}/edge` },
            StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' },
          },
        }),
        new iam.PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [
            stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: `${hostLogGroupPrefix(props.deploymentName)}*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
    }));
    this.addManagedPolicy(policy);
    // The grants on actions that support no resource ARN, in a policy of their own: its IAM5
    // acknowledgement covers exactly these (the host policy above carries none for Resource *).
    this.addManagedPolicy(
      new ActionsWithoutResourcePolicy(this, 'ActionsWithoutResourcePolicy', {
        description: `The ${props.deploymentName} gateway host: the actions that support no resource ARN`,
        statements: [
          // The SSM agent checks the session log group exists before streaming to it.
          new iam.PolicyStatement({ sid: 'FindLogGroups', actions: ['logs:DescribeLogGroups'], resources: ['*'] }),
          new iam.PolicyStatement({
            sid: 'PublishOwnMetrics',
            actions: ['cloudwatch:PutMetricData'],
            resources: ['*'],
            conditions: { StringEquals: { 'cloudwatch:namespace': hostMetricNamespace(props.deploymentName) } },
          }),
          // The state volume step (attach-state-volume.sh) polls its own volume until the previous host lets go.
          new iam.PolicyStatement({ sid: 'FindOwnStateVolume', actions: ['ec2:DescribeVolumes'], resources: ['*'] }),
        ],
        reason:
          'Only actions that support no resource ARN take Resource *: cloudwatch:PutMetricData (confined by the cloudwatch:namespace condition to this deployment), logs:DescribeLogGroups and ec2:DescribeVolumes (read-only, names and states only).',
      }),
    );
    acknowledgeFinding(
      this,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AmazonSSMManagedInstanceCore is the documented minimum for Session Manager, the only break-glass path (no SSH, no key pair); its actions need Resource * and AWS keeps it current.',
    );
    const cfnPolicy = policy.node.defaultChild as iam.CfnManagedPolicy;
    const partition = nagPartition(this);
    const wildcard = (finding: string, reason: string) => acknowledgeFinding(cfnPolicy, `AwsSolutions-IAM5[${finding}]`, reason);
    wildcard(
      `Resource::arn:${partition}:logs:${stack.region}:${stack.account}:log-group:${hostLogGroupPrefix(props.deploymentName)}*`,
      'Log streams are created per boot and per file; the wildcard is confined to this deployment\'s own log group prefix.',
    );
    wildcard(
      `Resource::arn:${partition}:kms:us-east-1:${stack.account}:key/*`,
      'Confined by conditions to the one key whose alias is this deployment\'s edge key, used through Secrets Manager in us-east-1 only.',
    );
  }

  /**
   * Lets the host attach its state volume to itself at boot (attach-state-volume.sh): this one
   * volume, to an instance that carries this deployment's instance profile (ec2:InstanceProfile),
   * nothing else; the KMS grant EC2 creates for an encrypted volume, only through EC2 and only
   * for an AWS resource. ec2:DescribeVolumes (no resource-level permissions), to wait for it, is
   * in the role's ActionsWithoutResourcePolicy.
   * No ec2:DetachVolume: the volume is freed by the old host's termination, never taken from it.
   *
   * A policy of its own that attaches itself to the role (its Roles property): it names the
   * instance profile, which names the role, so the role cannot list it among its
   * ManagedPolicyArns without a dependency cycle. The host must not boot before it exists:
   * make the instance depend on the returned policy.
   */
  allowAttachStateVolume(volumeArn: string, instanceProfileArn: string, key: kms.IKey): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'StateVolumePolicy', {
      description: 'The gateway host attaches its own state volume to itself',
      roles: [this],
      statements: [
        new iam.PolicyStatement({ sid: 'AttachOwnStateVolume', actions: ['ec2:AttachVolume'], resources: [volumeArn] }),
        new iam.PolicyStatement({
          sid: 'AttachStateVolumeToOwnHost',
          actions: ['ec2:AttachVolume'],
          resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
          conditions: { ArnEquals: { 'ec2:InstanceProfile': instanceProfileArn } },
        }),
        new iam.PolicyStatement({
          // EC2 creates a grant on the volume's key for the instance it attaches it to.
          sid: 'GrantStateVolumeKeyToEc2',
          actions: ['kms:CreateGrant'],
          resources: [key.keyArn],
          conditions: {
            Bool: { 'kms:GrantIsForAWSResource': 'true' },
            StringEquals: { 'kms:ViaService': `ec2.${stack.region}.amazonaws.com` },
          },
        }),
      ],
    });
    const cfn = policy.node.defaultChild as iam.CfnManagedPolicy;
    acknowledgeFinding(
      cfn,
      `AwsSolutions-IAM5[Resource::arn:${nagPartition(this)}:ec2:${stack.region}:${stack.account}:instance/*]`,
      'A replacement host\'s instance ID does not exist before it boots; the condition ec2:InstanceProfile confines AttachVolume to instances carrying this deployment\'s instance profile, and the other statement to the one state volume.',
    );
    return policy;
  }

  /** Lets the host read exactly these secrets (full ARNs: the regional secrets of its deployment). */
  allowReadSecrets(secretArns: readonly string[]): void {
    this.hostPolicy.addStatements(
      new iam.PolicyStatement({ sid: 'ReadOwnSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [...secretArns] }),
    );
  }

  /** Lets the host download one S3 object (its deployment bundle), nothing else in the bucket. */
  allowReadObject(bucketName: string, objectKey: string): void {
    this.hostPolicy.addStatements(
      new iam.PolicyStatement({
        sid: 'ReadDeploymentBundle',
        actions: ['s3:GetObject'],
        resources: [Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: bucketName, resourceName: objectKey })],
      }),
    );
  }
}
