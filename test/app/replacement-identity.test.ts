import { createHash } from 'crypto';
import { App, Aws, CfnResource, Fn, ScopedAws, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { INSTANCE_PROPERTIES_UPDATED_IN_PLACE, logicalIdFollowsReplacement, replacementDigest } from '../../lib/host/replacement-identity';

// The logical ID that follows every replacement, on bare stacks of L1 resources (not the whole
// app): the ID is the base ID and the first 16 hex digits of a digest of every property that
// makes CloudFormation replace the instance. The digest is computed here by hand from what it
// must contain (the properties, sorted; a reference as its construct path and attribute; a
// same-stack attribute with its target's own digest), so every change in what is hashed fails.

const env = { account: '123456789012', region: 'eu-west-1' };
/** CDK's template validation is not what this file tests (and costs a second per synth). */
const newApp = () => new App({ builtinCloudFormationValidation: false });
const BASE_ID = 'GatewayHost07D394AE';
const sha256 = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

interface Change {
  imageId?: string;
  /** Which of the network stack's two subnets. */
  subnet?: 0 | 1;
  hopLimit?: number;
  /** The egress port of the network stack's security group (which it reads by attribute; updated in place). */
  egressPort?: number;
  volumeGiB?: number;
  /** Property overrides on the instance (a property CDK's L1 sets, or one it does not know). */
  overrides?: Record<string, unknown>;
}

/**
 * A host like the gateway's: in a subnet of another stack, with a launch template (Ref and
 * LatestVersionNumber), a state volume it names by Ref, an Elastic IP (a resource without
 * properties) it reads by attribute, a pseudo parameter, and cfn-signal naming its own logical ID.
 */
function build(change: Change = {}) {
  const app = newApp();
  const net = new Stack(app, 'Net', { env });
  const subnets = [0, 1].map((i) => new ec2.CfnSubnet(net, `Subnet${i}`, { vpcId: 'vpc-0123456789abcdef0', cidrBlock: `10.0.${i}.0/24` }));
  const securityGroup = new ec2.CfnSecurityGroup(net, 'Proxy', {
    vpcId: 'vpc-0123456789abcdef0',
    groupDescription: 'proxy',
    securityGroupEgress: [{ ipProtocol: 'tcp', fromPort: change.egressPort ?? 443, toPort: change.egressPort ?? 443, cidrIp: '0.0.0.0/0' }],
  });
  const stack = new Stack(app, 'Host', { env });
  const gateway = new Construct(stack, 'Gateway');
  const options = new ec2.CfnLaunchTemplate(gateway, 'Options', {
    launchTemplateData: { metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: change.hopLimit ?? 1 } },
  });
  const volume = new ec2.CfnVolume(gateway, 'State', { availabilityZone: 'eu-west-1a', size: change.volumeGiB ?? 8, encrypted: true });
  const address = new ec2.CfnEIP(gateway, 'Address');
  const host = new ec2.CfnInstance(gateway, 'Host', {
    imageId: change.imageId ?? 'ami-0123456789abcdef0',
    instanceType: 't4g.small',
    subnetId: subnets[change.subnet ?? 0]!.ref,
    securityGroupIds: [securityGroup.attrGroupId],
    launchTemplate: { launchTemplateId: options.ref, version: options.attrLatestVersionNumber },
    tags: [{ key: 'team', value: 'ops' }],
  });
  host.userData = Fn.base64(
    Fn.join('', ['#!/bin/bash\nmount ', volume.ref, ' ', address.attrPublicIp, ' ', address.attrPublicIp, ' ', Aws.REGION, ' ', new ScopedAws(stack).partition, '\ncfn-signal --resource ', host.logicalId, '\n']),
  );
  for (const [k, v] of Object.entries(change.overrides ?? {})) host.addPropertyOverride(k, v);
  logicalIdFollowsReplacement(host);
  const resources = app.synth().getStackByName('Host').template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const ids = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::EC2::Instance');
  expect(ids).toHaveLength(1);
  return { id: ids[0]!, resources };
}

const base = build();

/** The digest of the base host, from what it must hash; `extra`: more properties, in the order given. */
function expectedDigest(extra: Record<string, unknown> = {}) {
  const launchTemplate = sha256({ Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { MetadataOptions: { HttpPutResponseHopLimit: 1, HttpTokens: 'required' } } } });
  const address = sha256({ Type: 'AWS::EC2::EIP', Properties: {} });
  return sha256({
    Type: 'AWS::EC2::Instance',
    // Sorted by name; InstanceType and Tags (updated in place) left out.
    Properties: {
      ...extra,
      ImageId: 'ami-0123456789abcdef0',
      LaunchTemplate: { LaunchTemplateId: 'ref:Host/Gateway/Options[Ref]', Version: `ref:Host/Gateway/Options[LatestVersionNumber]:${launchTemplate}` },
      // Another stack's resources: path and attribute only, even for an attribute.
      SecurityGroupIds: ['ref:Net/Proxy[GroupId]'],
      SubnetId: 'ref:Net/Subnet0[Ref]',
      // A Ref: the target's path (its properties change in place); an attribute: with the target's digest;
      // each time it is named; a pseudo parameter (plain, or a reference to the stack's) as CloudFormation reads it; the
      // instance's own ID as the base ID.
      UserData: {
        'Fn::Base64': {
          'Fn::Join': [
            '',
            [
              `#!/bin/bash\nmount ref:Host/Gateway/State[Ref] ref:Host/Gateway/Address[PublicIp]:${address} ref:Host/Gateway/Address[PublicIp]:${address} `,
              { Ref: 'AWS::Region' },
              ' ',
              { Ref: 'AWS::Partition' },
              `\ncfn-signal --resource ${BASE_ID}\n`,
            ],
          ],
        },
      },
    },
  });
}

test('the ID is the base ID and the first 16 hex digits of the digest of the replacing properties (computed here by hand)', () => {
  expect(base.id).toBe(`${BASE_ID}${expectedDigest().slice(0, 16)}`);
  // What the template holds for the subnet by then: an import, which the digest does not see.
  expect(base.resources[base.id]!.Properties.SubnetId).toEqual({ 'Fn::ImportValue': 'Net:ExportsOutputRefSubnet04EAF310F' });
});

test('the instance names its own final ID (cfn-signal --resource), and the same build gives the same ID', () => {
  const userData = JSON.stringify(base.resources[base.id]!.Properties.UserData);
  expect(userData).toContain(`\\ncfn-signal --resource ${base.id}\\n`);
  expect(build().id).toBe(base.id);
});

test('a new AMI, subnet, launch template content, user data or any property not updated in place gives a new ID', () => {
  const ids = [
    build({ imageId: 'ami-0fffffffffffffff1' }).id,
    build({ subnet: 1 }).id,
    build({ hopLimit: 2 }).id,
    build({ overrides: { 'UserData.Fn::Base64': 'echo other' } }).id,
    build({ overrides: { AvailabilityZone: 'eu-west-1b' } }).id,
    build({ overrides: { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } }] } }).id,
    build({ overrides: { PropertyCloudFormationAddsLater: 'x' } }).id,
  ];
  expect(new Set([base.id, ...ids]).size).toBe(ids.length + 1);
  for (const id of ids) expect(id).toMatch(new RegExp(`^${BASE_ID}[0-9a-f]{16}$`));
});

test('a new egress rule of the other stack\'s security group it reads by attribute (updated in place) keeps the ID', () => {
  expect(build({ egressPort: 8443 }).id).toBe(base.id);
});

test('a new size of the volume it names by Ref (grown in place) keeps the ID', () => {
  const grown = build({ volumeGiB: 16 });
  expect(Object.values(grown.resources).find((r) => r.Type === 'AWS::EC2::Volume')!.Properties.Size).toBe(16);
  expect(grown.id).toBe(base.id);
});

test('the properties updated in place are exactly these, and a change of each keeps the ID', () => {
  expect(INSTANCE_PROPERTIES_UPDATED_IN_PLACE).toEqual([
    'CreditSpecification',
    'DisableApiTermination',
    'IamInstanceProfile',
    'InstanceInitiatedShutdownBehavior',
    'InstanceType',
    'MetadataOptions',
    'Monitoring',
    'PropagateTagsToVolumeOnCreation',
    'SourceDestCheck',
    'SsmAssociations',
    'Tags',
    'Volumes',
  ]);
  const inPlace: Record<string, unknown> = {
    CreditSpecification: { CPUCredits: 'unlimited' },
    DisableApiTermination: true,
    IamInstanceProfile: 'other-profile',
    InstanceInitiatedShutdownBehavior: 'terminate',
    InstanceType: 't4g.medium',
    MetadataOptions: { HttpTokens: 'required' },
    Monitoring: true,
    PropagateTagsToVolumeOnCreation: true,
    SourceDestCheck: false,
    SsmAssociations: [{ DocumentName: 'other' }],
    Tags: [{ Key: 'team', Value: 'platform' }],
    Volumes: [{ Device: '/dev/sdf', VolumeId: 'vol-0123456789abcdef0' }],
  };
  for (const [property, value] of Object.entries(inPlace)) {
    const changed = build({ overrides: { [property]: value } });
    expect([property, changed.resources[changed.id]!.Properties[property]]).toEqual([property, value]);
    expect([property, changed.id]).toEqual([property, base.id]);
  }
});

test('the properties left out are ones CloudFormation updates without replacing the instance (its resource spec)', () => {
  // The spec cdk diff itself uses (@aws-cdk/cloudformation-diff, a dev dependency).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadResourceModel } = require('@aws-cdk/cloudformation-diff/lib/diff/util') as {
    loadResourceModel: (type: string) => { properties: Record<string, { causesReplacement?: string }> };
  };
  const spec = loadResourceModel('AWS::EC2::Instance').properties;
  const impact = Object.fromEntries(INSTANCE_PROPERTIES_UPDATED_IN_PLACE.map((p) => [p, spec[p]?.causesReplacement ?? (p in spec ? 'no' : 'unknown property')]));
  // InstanceType: "maybe" only for instance-store roots; the host is EBS-backed (stop, change, start; same ID).
  expect(impact).toEqual(Object.fromEntries(INSTANCE_PROPERTIES_UPDATED_IN_PLACE.map((p) => [p, p === 'InstanceType' ? 'maybe' : 'no'])));
});

test('a property this CDK version does not know (set by override, rendered last) is hashed in name order, as once CDK knows it', () => {
  const future = build({ overrides: { AaaFutureProperty: 'x' } });
  expect(Object.keys(future.resources[future.id]!.Properties).at(-1)).toBe('AaaFutureProperty');
  expect(future.id).toBe(`${BASE_ID}${expectedDigest({ AaaFutureProperty: 'x' }).slice(0, 16)}`);
});

test('a reference cycle (which CloudFormation refuses at deploy) does not recurse forever: the second visit is the path only', () => {
  const app = newApp();
  const stack = new Stack(app, 'Host', { env });
  const gateway = new Construct(stack, 'Gateway');
  const a = new CfnResource(gateway, 'A', { type: 'Custom::A', properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:a' } });
  const b = new CfnResource(gateway, 'B', { type: 'Custom::B', properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:b', Peer: a.getAtt('Out') } });
  a.addPropertyOverride('Peer', b.getAtt('Out'));
  const host = new ec2.CfnInstance(gateway, 'Host', { imageId: 'ami-0123456789abcdef0', userData: Fn.base64(a.getAtt('Out').toString()) });
  logicalIdFollowsReplacement(host);
  const digestOfB = sha256({ Type: 'Custom::B', Properties: { Peer: 'ref:Host/Gateway/A[Out]', ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:b' } });
  const digestOfA = sha256({ Type: 'Custom::A', Properties: { Peer: `ref:Host/Gateway/B[Out]:${digestOfB}`, ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:a' } });
  expect(replacementDigest(host)).toBe(sha256({ Type: 'AWS::EC2::Instance', Properties: { ImageId: 'ami-0123456789abcdef0', UserData: { 'Fn::Base64': `ref:Host/Gateway/A[Out]:${digestOfA}` } } }));
});
