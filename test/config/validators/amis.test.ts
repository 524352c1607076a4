import { mergeLayers } from '../../../lib/config/merge';
import { checkAmis, PINNED_AMIS, type AmiConfig } from '../../../lib/config/validators/amis';
import type { ConfigLayer } from '../../../lib/config/yaml-source';

// Pinned AMIs: required for the host (and the NAT instance in natMode
// instance), set in the file that sets aws.region or a later one. In-memory
// layers, no files.

const BASE = 'config/base.yaml';
const ENV = 'config/environments/dev.yaml';
const CLIENT = 'config/clients/acme/client.yaml';
const FILES = [BASE, ENV, CLIENT];
const AMI = 'ami-0123456789abcdef0';
const GET = 'get the current one with: aws ssm get-parameter --region eu-west-1 --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text';

/** Layers as [file, value, lines]; returns checkAmis' problems for their merge. */
function check(layers: [string, Record<string, unknown>, [string, number][]?][], natMode: 'instance' | 'gateway' = 'instance') {
  const merged = mergeLayers(layers.map(([file, value, lines]): ConfigLayer => ({ file, value, lines: new Map(lines ?? []) })));
  const v = merged.value as { aws: { region: string }; instance?: { amiId?: string }; network?: { natAmiId?: string } };
  const config: AmiConfig = { aws: v.aws, instance: { amiId: v.instance?.amiId }, network: { natMode, natAmiId: v.network?.natAmiId } };
  return checkAmis(config, merged, FILES);
}
const REGION = { aws: { region: 'eu-west-1' } };
const BOTH = { instance: { amiId: AMI }, network: { natAmiId: AMI } };

test('the pinned AMIs: the host always, the NAT instance only in natMode instance', () => {
  expect(PINNED_AMIS.map((a) => [a.path.join('.'), a.what])).toEqual([
    ['instance.amiId', 'the gateway host'],
    ['network.natAmiId', 'the NAT instance (network.natMode: instance)'],
  ]);
});

test('both set with the region: nothing to report', () => {
  expect(check([[BASE, {}], [CLIENT, { ...REGION, ...BOTH }]])).toEqual([]);
});

test('set in a later file than the region: fine', () => {
  expect(check([[ENV, REGION], [CLIENT, BOTH]])).toEqual([]);
});

test('a missing AMI is reported in the file that sets the region, with the command that gets it', () => {
  expect(check([[BASE, {}], [CLIENT, { ...REGION, network: { natAmiId: AMI } }]])).toEqual([
    {
      file: CLIENT,
      path: 'instance.amiId',
      message:
        `required but not set in any of: ${FILES.join(', ')}; expected the Amazon Linux 2023 arm64 AMI ID of eu-west-1 for the gateway host, ` +
        `pinned here next to aws.region (AMI IDs are regional); ${GET}`,
    },
  ]);
});

test('the NAT AMI is required only in natMode instance', () => {
  expect(check([[CLIENT, { ...REGION, instance: { amiId: AMI } }]], 'gateway')).toEqual([]);
  expect(check([[CLIENT, { ...REGION, instance: { amiId: AMI } }]], 'instance').map((p) => [p.file, p.path, p.message])).toEqual([
    [CLIENT, 'network.natAmiId', expect.stringContaining('AMI ID of eu-west-1 for the NAT instance (network.natMode: instance), pinned here')],
  ]);
});

test('an AMI set before the file that sets the region is refused at its own file and line', () => {
  expect(check([[ENV, BOTH, [['instance.amiId', 4], ['network.natAmiId', 6]]], [CLIENT, REGION]])).toEqual(
    [['instance.amiId', 4], ['network.natAmiId', 6]].map(([path, line]) => ({
      file: ENV,
      line,
      path,
      message: `found "${AMI}", set before ${CLIENT} sets aws.region to eu-west-1; expected the AMI ID of eu-west-1 set in ${CLIENT} or a later one (AMI IDs are regional); ${GET}`,
    })),
  );
});

test('the region\'s own file counts, not the file that first opened the aws mapping', () => {
  // The environment sets aws.account (and opens aws), the client adds aws.region: AMIs in the environment file are too early.
  expect(check([[ENV, { aws: { account: '111122223333' }, ...BOTH }, [['instance.amiId', 4], ['network.natAmiId', 6]]], [CLIENT, REGION]]).map((p) => [p.file, p.line, p.path])).toEqual([
    [ENV, 4, 'instance.amiId'],
    [ENV, 6, 'network.natAmiId'],
  ]);
  expect(check([[ENV, { aws: { account: '111122223333' } }], [CLIENT, { ...REGION, ...BOTH }]])).toEqual([]);
});

test('an AMI set in the same file as the region, or a later one, is accepted even when an earlier file set another', () => {
  expect(check([[ENV, BOTH], [CLIENT, { ...REGION, ...BOTH }]])).toEqual([]);
});
