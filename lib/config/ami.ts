import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors';
import { formatPath } from './key-path';
import { originOf, type MergedConfig } from './merge';

/** An EC2 AMI ID: the old 8-digit or the current 17-digit form. */
export const AMI_ID_PATTERN = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** The public SSM parameter where AWS publishes the current Amazon Linux 2023 arm64 AMI of each region. */
export const AL2023_ARM64_AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

/** The command that prints the current Amazon Linux 2023 arm64 AMI ID of `region`. */
export function currentAmiCommand(region: string): string {
  return `aws ssm get-parameter --region ${region} --name ${AL2023_ARM64_AMI_PARAMETER} --query Parameter.Value --output text`;
}

/**
 * A pinned AMI ID. Optional in the schema only so that a missing one is reported
 * by checkAmis, which knows the region and can print the command that gets it.
 */
export const amiIdSchema = z
  .string({ error: 'an AMI ID such as ami-0123456789abcdef0, quoted or not' })
  .regex(AMI_ID_PATTERN, { error: 'an AMI ID: "ami-" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0' })
  .optional();

/** What checkAmis needs of the config (the schema's shape). */
export interface AmiConfig {
  readonly aws: { readonly region: string };
  readonly instance: { readonly amiId?: string };
  readonly network: { readonly natMode: 'instance' | 'gateway'; readonly natAmiId?: string };
}

/** The config keys that pin an AMI, and when each is required. */
export const PINNED_AMIS = [
  { path: ['instance', 'amiId'], what: 'the gateway host', required: () => true, value: (c: AmiConfig) => c.instance.amiId },
  {
    path: ['network', 'natAmiId'],
    what: 'the NAT instance (network.natMode: instance)',
    required: (c: AmiConfig) => c.network.natMode === 'instance',
    value: (c: AmiConfig) => c.network.natAmiId,
  },
] as const;

/**
 * Every AMI the deployment launches is pinned in config, never resolved again
 * on each deploy: a new AMI replaces an instance, so it must be a deliberate
 * change that `cdk diff` shows. AMI IDs are regional, so a pinned ID must be set
 * in the same file as aws.region or a later one (an AMI set for one region and a
 * region changed by a later overlay would not exist there).
 */
export function checkAmis(config: AmiConfig, merged: MergedConfig, files: readonly string[]): ConfigProblem[] {
  const region = config.aws.region;
  // aws.region is required and has no default, so a file of `merged` set it: it has an origin.
  const regionFile = originOf(merged, ['aws', 'region'])!.file;
  const problems: ConfigProblem[] = [];
  for (const ami of PINNED_AMIS) {
    if (!ami.required(config)) continue;
    const key = formatPath(ami.path);
    const value = ami.value(config);
    const get = `get the current one with: ${currentAmiCommand(region)}`;
    if (value === undefined) {
      problems.push({
        file: regionFile,
        path: key,
        message:
          `required but not set in any of: ${files.join(', ')}; expected the Amazon Linux 2023 arm64 AMI ID of ${region} for ${ami.what}, ` +
          `pinned here next to aws.region (AMI IDs are regional); ${get}`,
      });
      continue;
    }
    // A pinned AMI has no default either: its value comes from a file, so it has an origin too.
    const origin = originOf(merged, ami.path)!;
    if (files.indexOf(origin.file) < files.indexOf(regionFile)) {
      problems.push({
        ...origin,
        path: key,
        message:
          `found "${value}", set before ${regionFile} sets aws.region to ${region}; expected the AMI ID of ${region} set in ` +
          `${regionFile} or a later one (AMI IDs are regional); ${get}`,
      });
    }
  }
  return problems;
}

/** The pinned AMI ID at `path`, for a config checkAmis has accepted. */
export function pinnedAmiId(value: string | undefined, key: string): string {
  if (value === undefined) throw new ConfigError([{ path: key, message: 'required: the pinned AMI ID (checkAmis reports where to set it)' }]);
  return value;
}
