/**
 * The names the host itself reaches, pinned (lib/network/egress-domains.ts's host list for one
 * region and account): the AL2023 repositories, the CDK asset bucket, npm's registry and the AWS
 * endpoints the host calls (secretsmanager also in us-east-1, where the origin-verify secret is).
 * Shared by the tests of the DNS Firewall list, the egress proxy and the list itself, so that each
 * pins the whole list without three copies of it.
 */
export function pinnedHostDomains(region: string, account: string): string[] {
  return [
    `al2023-repos-${region}-de612dc2.s3.dualstack.${region}.amazonaws.com`,
    `cdk-hnb659fds-assets-${account}-${region}.s3.${region}.amazonaws.com`,
    'cdn.amazonlinux.com',
    `ec2.${region}.amazonaws.com`,
    `ec2messages.${region}.amazonaws.com`,
    `kms.${region}.amazonaws.com`,
    `logs.${region}.amazonaws.com`,
    `monitoring.${region}.amazonaws.com`,
    'registry.npmjs.org',
    `secretsmanager.${region}.amazonaws.com`,
    'secretsmanager.us-east-1.amazonaws.com',
    `ssm.${region}.amazonaws.com`,
    `ssmmessages.${region}.amazonaws.com`,
    `sts.${region}.amazonaws.com`,
  ];
}
