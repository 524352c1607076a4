/**
 * The NAT instance's user data: host/nat/nat-setup.sh as it is (no placeholders).
 * It replaces aws-cdk-lib's NatInstanceProviderV2 default (an unguarded
 * `yum install iptables-services`): nft as the AMI ships it, dnf only when it
 * is missing (swap first on small hosts, retries with backoff), and a
 * `nat-setup: FAILED <step>` line plus a non-zero exit when any step fails.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HOST_SOURCE_DIR } from '../host/template';

export const NAT_SETUP_SCRIPT = path.join(HOST_SOURCE_DIR, 'nat', 'nat-setup.sh');

export function renderNatUserData(): string {
  return fs.readFileSync(NAT_SETUP_SCRIPT, 'utf8');
}
