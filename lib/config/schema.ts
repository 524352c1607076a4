import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { amiIdSchema, currentAmiCommand } from './ami';
import { HARDENED_CONTROL_IDS } from './hardened-controls';
import { objectLockMode, type ObjectLockMode } from '../audit/audit-config';
import { edgeSchema } from '../edge/config-schema';
import { logsSchema, networkSchema } from '../network/config-schema';
import { openclawSchema } from '../openclaw/config-schema';
import { alertsSchema, auditSchema } from '../audit/config-schema';
import { breakGlassSchema, secretsSchema } from '../secrets/config-schema';
import { spendSchema } from '../spend/config-schema';

/** Client, environment and prefix names: they end up in stack and resource names. */
export const NAME_PATTERN = /^[a-z0-9-]+$/;

const COMMERCIAL_REGIONS: readonly string[] = RegionInfo.regions
  .filter((r) => r.partition === 'aws')
  .map((r) => r.name)
  .sort();

const name = (what: string) =>
  z
    .string({ error: `${what}: a string of lowercase letters, digits and hyphens` })
    .regex(NAME_PATTERN, { error: `${what}: lowercase letters, digits and hyphens only ([a-z0-9-]+)` });

const accountId = z
  .string({
    error: 'a 12-digit AWS account ID as a quoted string, e.g. "123456789012" (YAML reads unquoted digits as a number)',
  })
  .regex(/^\d{12}$/, { error: 'a 12-digit AWS account ID, e.g. "123456789012"' })
  .describe('AWS account ID (12 digits, quoted) the stacks deploy into.');

const region = z
  .enum(COMMERCIAL_REGIONS as [string, ...string[]], {
    error: `an AWS commercial-partition region, one of: ${COMMERCIAL_REGIONS.join(', ')}`,
  })
  .describe('AWS region of the regional stacks, e.g. "eu-west-1". Edge resources (WAF for CloudFront) always go to us-east-1.');

const isoDate = z
  .string({ error: 'a date as YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'a date as YYYY-MM-DD', abort: true })
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), {
    error: 'a real calendar date as YYYY-MM-DD',
  });

/** One approved weakening of a hardened default. */
export const exceptionSchema = z
  .strictObject({
    control: z
      .enum(HARDENED_CONTROL_IDS, { error: `one of the hardened controls: ${HARDENED_CONTROL_IDS.join(', ')}` })
      .describe('The hardened control this exception weakens (see lib/config/hardened-controls.ts).'),
    reason: z
      .string({ error: 'a sentence explaining why the control is weakened' })
      .min(20, { error: 'a reason of at least 20 characters that a reviewer can judge' })
      .describe('Why the control is weakened, and what compensates for it. Shown in the compliance report.'),
    approvedBy: z
      .string({ error: 'the name or e-mail of whoever approved the exception' })
      .min(3)
      .describe('Who approved the exception (name or e-mail).'),
    expires: isoDate.describe(
      'Last day (YYYY-MM-DD, UTC) the exception is valid, at most 366 days ahead. An expired exception fails synth.',
    ),
  })
  .describe('An approved, time-limited weakening of one hardened default.');

/**
 * The merged configuration of one client in one environment: base.yaml, then
 * environments/<env>.yaml, then clients/<client>/client.yaml, then
 * clients/<client>/<env>.yaml. This schema is the single source of truth for its
 * types; config/schema.json is generated from it.
 */
export const configSchema = z
  .strictObject({
    project: z
      .strictObject({
        prefix: name('prefix')
          .max(20, { error: 'a prefix of at most 20 characters (it leads every stack and resource name)' })
          .describe('Leads every stack and resource name: <prefix>-<client>-<env>-<stack>.'),
        terminationProtection: z
          .boolean({ error: 'true or false' })
          .describe(
            'Refuse deletion of the stacks (CloudFormation stack termination protection; on in prod). Turn it off in the console or config ' +
              'before a deliberate teardown. The instances carry no EC2 API termination protection: it would make CloudFormation fail to ' +
              'delete the old host when a deliberate change replaces it.',
          ),
      })
      .describe('Naming shared by every deployment of this blueprint.'),
    aws: z
      .strictObject({
        account: accountId,
        region,
      })
      .describe('Where this client x environment deploys. Set per client (or per client and environment).'),
    tags: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z0-9 _.:/=+@-]{1,128}$/, { error: 'a tag key of 1-128 letters, digits, spaces or _.:/=+@-' })
          .refine((k) => !k.toLowerCase().startsWith('aws:'), { error: 'a tag key not starting with "aws:" (reserved)' }),
        z
          .string({ error: 'a tag value (string)' })
          .regex(/^[A-Za-z0-9 _.:/=+@-]{0,256}$/, { error: 'a tag value of up to 256 letters, digits, spaces or _.:/=+@-' }),
      )
      .describe('Extra tags put on every resource, e.g. cost-center. The client, env and prefix tags are always added.'),
    kms: z
      .strictObject({
        rotationPeriodDays: z
          .number({ error: 'a whole number of days between 90 and 2560' })
          .int()
          .min(90, { error: 'at least 90 days (the KMS minimum)' })
          .max(2560, { error: 'at most 2560 days (the KMS maximum)' })
          .describe('Days between automatic rotations of the deployment KMS key. Rotation itself is always on.'),
      })
      .describe('The customer-managed KMS key of this client x environment.'),
    instance: z
      .strictObject({
        type: z
          .string({ error: 'an EC2 instance type such as t4g.small' })
          .regex(/^[a-z][a-z0-9-]*g[a-z0-9]*\.[a-z0-9]+$/, { error: 'a Graviton (arm64) instance type such as t4g.small or m7g.large' })
          .optional()
          .describe(
            'EC2 instance type of the gateway host; Graviton (arm64), as the AMI is the arm64 Amazon Linux 2023. Leave it out: the host is ' +
              'sized from the number of gateways (one per agent), the smallest t4g type whose memory holds the host\'s own overhead and ' +
              'each gateway\'s memory cap (t4g.small for one agent, t4g.medium for two or three; lib/host/gateway-sizing.ts). ' +
              'A type set here must hold them too, or the config is refused.',
          ),
        rootVolumeGiB: z
          .number({ error: 'a whole number of GiB from 12 to 200' })
          .int()
          .min(12, { error: 'at least 12 GiB (the OS, Node 24 and OpenClaw take about 4)' })
          .max(200, { error: 'at most 200 GiB' })
          .describe('Size of the encrypted gp3 root volume of the gateway host. It holds nothing that matters: the agent state is on stateVolume.'),
        amiId: amiIdSchema
          .optional()
          .describe(
            'AMI of the gateway host: Amazon Linux 2023 for arm64 in aws.region (AMI IDs are regional), pinned so that a new AMI is ' +
              'taken deliberately. Required. Changing it replaces the host (a brief outage) on the next deploy. Current ID: ' +
              currentAmiCommand('<region>'),
          ),
        stateVolume: z
          .strictObject({
            sizeGiB: z
              .number({ error: 'a whole number of GiB from 1 to 1024' })
              .int()
              .min(1, { error: 'at least 1 GiB' })
              .max(1024, { error: 'at most 1024 GiB' })
              .describe(
                'Size of the state volume: its own encrypted gp3 EBS volume, retained and backed up, that the host attaches at boot ' +
                  'and mounts at /var/lib/openclaw (sessions, agent memory, paired devices) and /var/lib/openclaw-meter (the spend month). ' +
                  'It outlives every host replacement. Growing it later is an in-place change of the volume (the file system is not grown automatically).',
              ),
            restoreFromSnapshotId: z
              .string({ error: 'an EBS snapshot ID such as snap-0123456789abcdef0' })
              .regex(/^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'an EBS snapshot ID such as snap-0123456789abcdef0 (snap- and 8 or 17 hex digits)' })
              .optional()
              .describe(
                'Restore: a snapshot of the state volume (from the daily backups) to create a NEW state volume from. The deploy creates the ' +
                  'new volume, replaces the host, and the new host attaches the new volume; the previous volume is left, detached, in the account ' +
                  '(retained). Leave it set afterwards: removing it would create another, empty volume. See docs/host.md, "Restoring the agent state".',
              ),
          })
          .describe('The agent state volume of the gateway host.'),
        stateBackup: z
          .strictObject({
            retainDays: z
              .number({ error: 'a whole number of days from 1 to 365' })
              .int()
              .min(1, { error: 'at least 1 day' })
              .max(365, { error: 'at most 365 days' })
              .describe('Days each daily snapshot of the state volume is kept (Amazon Data Lifecycle Manager; one snapshot a day, at 03:00 UTC).'),
          })
          .describe('Daily snapshots of the state volume.'),
      })
      .describe('The gateway host.'),
    network: networkSchema,
    logs: logsSchema,
    edge: edgeSchema,
    openclaw: openclawSchema,
    secrets: secretsSchema,
    breakGlass: breakGlassSchema,
    audit: auditSchema,
    alerts: alertsSchema,
    spend: spendSchema,
    dataProtection: z
      .strictObject({
        retainOnDelete: z
          .boolean({ error: 'true or false' })
          .describe(
            'Keep keys, secrets and log data when a stack is deleted. Hardened default: true. Setting false needs an ' +
              '"exceptions" entry for control data-retention AND the deploy-time confirmation -c confirmDataDestruction=<client>-<env>.',
          ),
      })
      .describe('What happens to data when a stack is deleted.'),
    exceptions: z
      .array(exceptionSchema, { error: 'a list of exceptions (use [] for none)' })
      .describe('Approved weakenings of hardened defaults, each with reason, approver and expiry. Lists replace, they do not merge.'),
  })
  .refine((c) => c.edge.proxyPort !== c.edge.gatewayPort, {
    path: ['edge', 'gatewayPort'],
    error: 'a port different from edge.proxyPort: the gateway listens on loopback behind nginx, never on the proxy port',
  })
  .describe('OpenClaw hardened AWS deployment: configuration of one client in one environment.');

export type DeploymentConfig = z.infer<typeof configSchema>;
/** The audit section as the YAML sets it. */
export type AuditConfig = DeploymentConfig['audit'];
export type ConfigException = z.infer<typeof exceptionSchema>;

/** The audit section as resolved: the YAML's keys plus what the loader derives. */
export interface ResolvedAuditConfig extends AuditConfig {
  /** Object Lock mode of the audit buckets, derived from the environment (objectLockMode); not settable in YAML. */
  readonly lockMode: ObjectLockMode;
}

/** A validated config together with the client and environment it was built for, and what they derive. */
export interface ResolvedConfig extends DeploymentConfig {
  /** The client (its folder under config/clients/). */
  readonly client: string;
  /** The environment (its file under config/environments/). */
  readonly env: string;
  /** The audit section, with audit.lockMode derived. */
  readonly audit: ResolvedAuditConfig;
}

/** The resolved config of a validated one: `client` and `env` added, and audit.lockMode derived from `env`. */
export function resolveConfig(config: DeploymentConfig, client: string, env: string): ResolvedConfig {
  return { ...config, client, env, audit: { ...config.audit, lockMode: objectLockMode(env) } };
}
