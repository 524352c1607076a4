import { Stage, Tags, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResolvedConfig } from './config/schema';
import { CoreStack } from './stacks/core-stack';
import { deploymentName } from './shared/naming';
import { EdgeStack } from './stacks/edge-stack';
import { GatewayStack } from './stacks/gateway-stack';
import { NetworkStack } from './stacks/network-stack';
import { SpendStack } from './stacks/spend-stack';
import { DEPLOYMENT_COST_TAG } from './spend/deployment-budgets';

export interface DeploymentStageProps extends StageProps {
  /** The resolved config of one client x environment: names the stage and gives its account and region. */
  readonly config: ResolvedConfig;
  /** The config folder the config was loaded from (agent files live there). */
  readonly configDir: string;
}


/** Tags on every resource; the kill switch and IAM conditions select on them. */
export const DEPLOYMENT_TAG_KEYS = { prefix: 'openclaw:prefix', client: 'openclaw:client', env: 'openclaw:env' } as const;

/**
 * All stacks of one client x environment. Account and region come from
 * config, never from lookups.
 */
export class DeploymentStage extends Stage {
  readonly core: CoreStack;
  readonly network: NetworkStack;
  readonly gateway: GatewayStack;
  readonly edge: EdgeStack;
  readonly spend: SpendStack;

  constructor(scope: Construct, props: DeploymentStageProps) {
    const { config } = props;
    super(scope, `${config.client}-${config.env}`, {
      ...props,
      env: { account: config.aws.account, region: config.aws.region },
    });
    const name = deploymentName(config);
    this.core = new CoreStack(this, 'Core', {
      stackName: `${name}-core`,
      description: `OpenClaw hardened deployment ${config.client}/${config.env}: deployment KMS key, alert and shutdown topics, object-locked audit store, CloudTrail and its alarms, log archive.`,
      config,
    });
    this.network = new NetworkStack(this, 'Network', {
      stackName: `${name}-network`,
      description: `OpenClaw hardened deployment ${config.client}/${config.env}: VPC, egress allowlist, security groups.`,
      config,
      key: this.core.key,
      deploymentName: name,
      auditBucketArn: this.core.audit.bucket.bucketArn,
    });
    this.gateway = new GatewayStack(this, 'Gateway', {
      stackName: `${name}-gateway`,
      description: `OpenClaw hardened deployment ${config.client}/${config.env}: gateway host.`,
      config,
      key: this.core.key,
      vpc: this.network.vpc,
      securityGroup: this.network.gatewaySecurityGroup,
      deploymentName: name,
      configDir: props.configDir,
      alertTopic: this.core.alerts.topic,
      logArchive: this.core.logArchive,
    });
    this.edge = new EdgeStack(this, 'Edge', {
      stackName: `${name}-edge`,
      description: `OpenClaw hardened deployment ${config.client}/${config.env}: CloudFront, WAF and origin-verify secret (us-east-1).`,
      env: { account: config.aws.account, region: 'us-east-1' },
      config,
      instance: this.gateway.instance,
      hostRoleArn: this.gateway.role.roleArn,
      refreshDocumentName: this.gateway.refreshDocument.documentName,
      deploymentName: name,
    });
    this.spend = new SpendStack(this, 'Spend', {
      stackName: `${name}-spend`,
      description: `OpenClaw hardened deployment ${config.client}/${config.env}: budgets, model-spend alarms and the kill switch.`,
      config,
      deploymentName: name,
      key: this.core.key,
      alertTopic: this.core.alerts.topic,
      shutdownTopic: this.core.shutdown.topic,
      instanceId: this.gateway.instance.instanceId,
      hostRoleName: this.gateway.role.roleName,
      distributionId: this.edge.cdn.distribution.distributionId,
      auditBucketNames: [this.core.audit.bucket, this.core.audit.accessLogs, this.edge.audit.bucket, this.edge.audit.accessLogs].map((b) => b.bucketName),
    });
    for (const stack of [this.core, this.network, this.gateway, this.edge, this.spend]) stack.terminationProtection = config.project.terminationProtection;
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);
    Tags.of(this).add(DEPLOYMENT_TAG_KEYS.prefix, config.project.prefix);
    Tags.of(this).add(DEPLOYMENT_TAG_KEYS.client, config.client);
    Tags.of(this).add(DEPLOYMENT_TAG_KEYS.env, config.env);
    // One tag naming the client x environment: the budgets filter cost by it.
    Tags.of(this).add(DEPLOYMENT_COST_TAG, name);
  }
}
