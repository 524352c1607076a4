import { Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { pinnedAmiId } from '../config/ami';
import type { ResolvedConfig } from '../config/schema';
import { DeploymentBundle } from '../host/deployment-bundle';
import { NO_EDGE_DOMAIN, renderUserData } from '../host/cloud-init';
import { assembleBundleFiles } from '../host/runtime-files';
import { GatewayInstance } from '../host/gateway-instance';
import { GatewayStateBackup } from '../host/gateway-state-backup';
import { GatewayStateVolume } from '../host/gateway-state-volume';
import { GatewayRole } from '../host/gateway-role';
import { GatewayAlarms } from '../alarms/gateway-alarms';
import { HostLogGroups } from '../audit/host-log-groups';
import type { LogArchive } from '../audit/log-archive';
import { InstanceRecovery } from '../host/instance-recovery';
import { HOST_LOG_GROUPS } from '../host/cloudwatch-agent';
import { hostMetricNamespace } from '../shared/naming';
import { DeploymentSecrets } from '../secrets/deployment-secrets';
import { SecretRotation } from '../secrets/secret-rotation';
import { SecretsRefreshDocument } from '../secrets/secrets-refresh-document';
import { SessionLogging } from '../host/session-logging';
import { VerificationDocument } from '../host/verification-document';
import { OperatorAccess } from '../access/operator-access';
import { secretNamePrefix } from '../secrets/secrets-manifest';

export interface GatewayStackProps extends StackProps {
  /** The resolved config of this client x environment. */
  readonly config: ResolvedConfig;
  /** The deployment key (core stack): encrypts the secrets, volumes and log groups. */
  readonly key: kms.IKey;
  /** The VPC (network stack): the host runs in the private subnet of its first Availability Zone. */
  readonly vpc: ec2.IVpc;
  /** The gateway host's security group (network stack). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** `<prefix>-<client>-<env>`, for resource names. */
  readonly deploymentName: string;
  /** The config folder: the agent files come from `clients/<client>/agents/`. */
  readonly configDir: string;
  /** The regional alert topic (core stack): every alarm of this stack notifies it. */
  readonly alertTopic: sns.ITopic;
  /** Exports log groups into the object-locked audit bucket (core stack). */
  readonly logArchive: LogArchive;
}

/**
 * The gateway host and everything that is its alone: its least-privilege role,
 * its deployment bundle, its secrets (gateway token with scheduled rotation,
 * one per agent) and the document that makes it re-read them, its state volume
 * with daily snapshots, its log groups (archived to the audit store), recorded
 * break-glass sessions, its alarms and self-healing.
 */
export class GatewayStack extends Stack {
  readonly role: GatewayRole;
  readonly secrets: DeploymentSecrets;
  readonly refreshDocument: SecretsRefreshDocument;
  /** Gateway id -> the rotation of its token (each gateway's token rotates on its own). */
  readonly tokenRotations: Readonly<Record<string, SecretRotation>>;
  readonly hostLogs: HostLogGroups;
  readonly alarms: GatewayAlarms;
  readonly bundle: DeploymentBundle;
  readonly instance: GatewayInstance;
  readonly sessions: SessionLogging;
  readonly recovery: InstanceRecovery;
  readonly stateVolume: GatewayStateVolume;
  readonly stateBackup: GatewayStateBackup;
  readonly verification: VerificationDocument;
  readonly operatorAccess: OperatorAccess;

  constructor(scope: Construct, id: string, props: GatewayStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.role = new GatewayRole(this, 'HostRole', {
      secretPrefix: secretNamePrefix(config),
      deploymentName: props.deploymentName,
      keys: [props.key],
    });
    this.secrets = new DeploymentSecrets(this, 'Secrets', { config, key: props.key, hostRoleArn: this.role.roleArn });
    this.role.allowReadSecrets(this.secrets.all.map((s) => s.secretArn));
    this.refreshDocument = new SecretsRefreshDocument(this, 'SecretsRefresh', { deploymentName: props.deploymentName });
    // The viewer-facing domain when it is known at synth (a custom domain); otherwise
    // the CloudFront name is added to edge.allowedOrigins after the first deploy (docs/edge.md, "The viewer domain for browsers").
    const viewerDomain = config.edge.customDomain?.domainName;
    this.bundle = new DeploymentBundle(this, 'Bundle', {
      files: assembleBundleFiles(config, props.configDir),
    });
    this.role.allowReadObject(this.bundle.asset.s3BucketName, this.bundle.asset.s3ObjectKey);
    // The agent state: its own volume, in the instance's Availability Zone (GatewayInstance
    // places the host in the VPC's first), referencing nothing of the host.
    this.stateVolume = new GatewayStateVolume(this, 'StateVolume', {
      deploymentName: props.deploymentName,
      availabilityZone: props.vpc.availabilityZones[0]!,
      key: props.key,
      sizeGiB: config.instance.stateVolume.sizeGiB,
      restoreFromSnapshotId: config.instance.stateVolume.restoreFromSnapshotId,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    this.stateBackup = new GatewayStateBackup(this, 'StateBackup', {
      deploymentName: props.deploymentName,
      retainDays: config.instance.stateBackup.retainDays,
      key: props.key,
    });
    const userData = renderUserData(
      config,
      { s3Uri: this.bundle.s3Uri, sha256: this.bundle.sha256 },
      viewerDomain ? { cloudFrontDomain: viewerDomain } : NO_EDGE_DOMAIN,
      { volumeId: this.stateVolume.volumeId },
    );
    this.instance = new GatewayInstance(this, 'Gateway', {
      userData: ec2.UserData.custom(userData),
      vpc: props.vpc,
      securityGroup: props.securityGroup,
      key: props.key,
      role: this.role,
      instanceType: config.instance.type,
      rootVolumeGiB: config.instance.rootVolumeGiB,
      amiId: pinnedAmiId(config.instance.amiId, 'instance.amiId'),
    });
    // ec2.Instance creates the host's instance profile as its child 'InstanceProfile'.
    const instanceProfile = this.instance.node.findChild('InstanceProfile') as iam.CfnInstanceProfile;
    const attachPolicy = this.role.allowAttachStateVolume(this.stateVolume.volumeArn, instanceProfile.attrArn, props.key);
    // The host attaches the volume at boot: the permission must exist before the host does.
    (this.instance.node.defaultChild as ec2.CfnInstance).addResourceDependency(attachPolicy.node.defaultChild as iam.CfnManagedPolicy);
    this.sessions = new SessionLogging(this, 'SessionLogging', {
      deploymentName: props.deploymentName,
      key: props.key,
      retentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    // What npm run verify runs on the host (SSM Run Command); not in the bundle, so it never replaces the host.
    this.verification = new VerificationDocument(this, 'Verification', { config });
    // Break-glass only through the recorded session and the deployment's own documents (docs/break-glass.md).
    this.operatorAccess = new OperatorAccess(this, 'OperatorAccess', {
      deploymentName: props.deploymentName,
      instanceId: this.instance.instanceId,
      sessionDocumentName: this.sessions.documentName,
      commandDocumentNames: [this.verification.documentName, this.refreshDocument.documentName],
      key: props.key,
      breakGlass: config.breakGlass,
    });
    this.recovery = new InstanceRecovery(this, 'Recovery', { instance: this.instance, deploymentName: props.deploymentName, topic: props.alertTopic });
    this.hostLogs = new HostLogGroups(this, 'HostLogs', {
      groups: HOST_LOG_GROUPS(config),
      key: props.key,
      retentionDays: config.logs.retentionDays as logs.RetentionDays,
      retainOnDelete: config.dataProtection.retainOnDelete,
    });
    // Every host log and every break-glass session also goes to the locked store.
    for (const group of [...Object.values(this.hostLogs.byId), this.sessions.logGroup]) props.logArchive.archive(group);
    this.alarms = new GatewayAlarms(this, 'Alarms', {
      deploymentName: props.deploymentName,
      namespace: hostMetricNamespace(props.deploymentName),
      topic: props.alertTopic,
      nginxAccessLogs: this.hostLogs.group('nginx-access'),
      egressProxyLogs: this.hostLogs.group('egress-proxy'),
      proxyAuthFailures: config.alerts.thresholds.proxyAuthFailures,
    });
    const rotations: Record<string, SecretRotation> = {};
    for (const [gatewayId, secret] of Object.entries(this.secrets.gatewayTokens)) {
      rotations[gatewayId] = new SecretRotation(this, `GatewayTokenRotation-${gatewayId}`, {
        secret,
        key: props.key,
        kind: 'gateway-token',
        rotates: `token-${gatewayId}`,
        rotationDays: config.secrets.rotationDays,
        deploymentName: props.deploymentName,
        hostInstanceId: this.instance.instanceId,
        hostRegion: this.region,
        refreshDocumentName: this.refreshDocument.documentName,
        logRetentionDays: config.logs.retentionDays as logs.RetentionDays,
        retainOnDelete: config.dataProtection.retainOnDelete,
      });
    }
    this.tokenRotations = rotations;
  }
}
