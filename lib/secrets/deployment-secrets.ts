import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ResolvedConfig } from '../config/schema';
import { acknowledgeFinding } from '../gate/acknowledge';
import { agentGateways } from '../openclaw/gateways';
import { agentSecretName, agentSecretPointers, gatewayTokenSecretName } from './secrets-manifest';
import { HardenedSecret } from './hardened-secret';

export interface DeploymentSecretsProps {
  /** The resolved config: the secret names, the agents, breakGlass.roleName and dataProtection.retainOnDelete. */
  readonly config: ResolvedConfig;
  /** The deployment's customer-managed key (rotation on). */
  readonly key: kms.IKey;
  /** The gateway host's role: the only reader besides break-glass (and the rotation function). */
  readonly hostRoleArn: string;
}

/** Rules that ask every secret to rotate on a schedule. */
const ROTATION_RULES = ['AwsSolutions-SMG4', 'NIST.800.53.R5-SecretsManagerRotationEnabled', 'HIPAA.Security-SecretsManagerRotationEnabled'] as const;

/**
 * The regional secrets of one client x environment: one token per gateway
 * (lib/openclaw/gateways.ts; generated; a SecretRotation per gateway rotates
 * each on its own) and one JSON document per agent (created empty, `{}`;
 * operators fill it with `npm run secrets:set`: its own provider key and bot
 * tokens). Names come from lib/secrets/secrets-manifest.ts.
 */
export class DeploymentSecrets extends Construct {
  /** Gateway id -> its token secret. */
  readonly gatewayTokens: Readonly<Record<string, HardenedSecret>>;
  /** Agent id -> its secret. */
  readonly agents: Readonly<Record<string, HardenedSecret>>;

  constructor(scope: Construct, id: string, props: DeploymentSecretsProps) {
    super(scope, id);
    const { config } = props;
    const common = {
      key: props.key,
      readers: [props.hostRoleArn],
      breakGlassRoleName: config.breakGlass.roleName,
      retainOnDelete: config.dataProtection.retainOnDelete,
    };
    const tokens: Record<string, HardenedSecret> = {};
    for (const gateway of agentGateways(config)) {
      tokens[gateway.id] = new HardenedSecret(this, `GatewayToken-${gateway.id}`, {
        ...common,
        secretName: gatewayTokenSecretName(config, gateway.id),
        description: `Token operators and the Control UI authenticate to OpenClaw gateway ${gateway.id} (agents ${gateway.agents.join(', ')}) of ${config.client}/${config.env} with. Rotated on a schedule.`,
        initialValue: 'generated',
      });
    }
    this.gatewayTokens = tokens;
    const agents: Record<string, HardenedSecret> = {};
    for (const agent of Object.keys(config.openclaw.agents).sort()) {
      const pointers = agentSecretPointers(config, agent);
      const secret = new HardenedSecret(this, `Agent-${agent}`, {
        ...common,
        secretName: agentSecretName(config, agent),
        description: `Credentials of OpenClaw agent ${agent} (${config.client}/${config.env}), its own: a JSON document with ${pointers.join(', ')}. Fill with npm run secrets:set.`,
        initialValue: 'empty-document',
      });
      for (const rule of ROTATION_RULES) {
        acknowledgeFinding(
          secret,
          rule,
          'Third-party credentials (a model provider API key, chat bot tokens) are issued by their provider and cannot be rotated by a Lambda; operators rotate them with npm run secrets:set and the host picks the new value up at its next refresh.',
        );
      }
      agents[agent] = secret;
    }
    this.agents = agents;
  }

  /** Every regional secret: the gateways' tokens by gateway id, then the agents' by id. */
  get all(): HardenedSecret[] {
    return [...Object.values(this.gatewayTokens), ...Object.values(this.agents)];
  }
}
