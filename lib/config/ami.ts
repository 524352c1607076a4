/**
 * AMI IDs in config: their pattern and schema, the command that prints the
 * current one, and the pinned value the host and NAT constructs read.
 */
import { z } from 'zod';
import { ConfigError } from './errors';

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
 * by checkAmis (lib/config/validators/amis.ts), which knows the region and can print the command that gets it.
 */
export const amiIdSchema = z
  .string({ error: 'an AMI ID such as ami-0123456789abcdef0, quoted or not' })
  .regex(AMI_ID_PATTERN, { error: 'an AMI ID: "ami-" and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0' })
  .optional();

/** The pinned AMI ID at `path`, for a config checkAmis has accepted. */
export function pinnedAmiId(value: string | undefined, key: string): string {
  if (value === undefined) throw new ConfigError([{ path: key, message: 'required: the pinned AMI ID (checkAmis reports where to set it)' }]);
  return value;
}
