/**
 * Pinned AMIs: every AMI the deployment launches is set in config, in the file
 * that sets aws.region or a later one (AMI IDs are regional).
 */
import type { ConfigProblem } from '../errors';
import { currentAmiCommand } from '../ami';
import { formatPath } from '../key-path';
import { originOf, type MergedConfig } from '../merge';

/** What checkAmis needs of the config (the schema's shape). */
export interface AmiConfig {
  /** aws.region: the region the AMIs must belong to. */
  readonly aws: { readonly region: string };
  /** instance.amiId: the gateway host's AMI (required; unset when the config left it out). */
  readonly instance: { readonly amiId?: string };
  /** network.natMode and network.natAmiId: the NAT instance's AMI, required in natMode instance. */
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
