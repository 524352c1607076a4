import { isRetained } from '../shared/retention';
import type { ComplianceControl, TemplateResource } from '../compliance/control';
import { launchTemplateOf, refersTo, resourcesOfType } from '../compliance/refs';

const isNatInstance = (r: TemplateResource) => r.Properties?.SourceDestCheck === false;

export const ec2Imdsv2: ComplianceControl = {
  id: 'ec2-imdsv2-hop-limit-1',
  title: 'EC2 instances require IMDSv2, with a hop limit of 1',
  resourceType: 'AWS::EC2::Instance',
  fsbp: ['EC2.8'],
  cis: [],
  controlTower: [],
  evidence: 'The instance launch template sets MetadataOptions.HttpTokens required and HttpPutResponseHopLimit 1.',
  holds: (r, context) => {
    const options = (launchTemplateOf(r, context)?.Properties?.LaunchTemplateData as { MetadataOptions?: Record<string, unknown> } | undefined)
      ?.MetadataOptions;
    return options?.HttpTokens === 'required' && options.HttpPutResponseHopLimit === 1;
  },
};

export const ec2NoPublicIp: ComplianceControl = {
  id: 'ec2-no-public-ip',
  title: 'Workload instances have no public IPv4 address (the NAT instance is the one exception, by function)',
  resourceType: 'AWS::EC2::Instance',
  appliesTo: (r) => !isNatInstance(r),
  fsbp: ['EC2.9'],
  cis: [],
  controlTower: ['CT.EC2.PR.8'],
  evidence: 'Every network interface sets AssociatePublicIpAddress false.',
  holds: (r) => {
    const nics = (r.Properties?.NetworkInterfaces as { AssociatePublicIpAddress?: boolean }[] | undefined) ?? [];
    return nics.length > 0 && nics.every((n) => n.AssociatePublicIpAddress === false);
  },
};

export const ec2VolumesEncrypted: ComplianceControl = {
  id: 'ec2-volumes-encrypted',
  title: 'Instance volumes are encrypted with a customer-managed KMS key',
  resourceType: 'AWS::EC2::Instance',
  fsbp: ['EC2.3'],
  cis: [],
  controlTower: [],
  evidence: 'Every BlockDeviceMappings entry has Ebs.Encrypted true and a KmsKeyId.',
  holds: (r) => {
    const devices = (r.Properties?.BlockDeviceMappings as { Ebs?: { Encrypted?: boolean; KmsKeyId?: unknown } }[] | undefined) ?? [];
    return devices.length > 0 && devices.every((d) => d.Ebs?.Encrypted === true && d.Ebs.KmsKeyId !== undefined);
  },
};

export const vpcFlowLogs: ComplianceControl = {
  id: 'vpc-flow-logs',
  title: 'VPC flow logs record all traffic',
  resourceType: 'AWS::EC2::VPC',
  fsbp: ['EC2.6'],
  cis: ['3.7'],
  controlTower: [],
  evidence: 'An AWS::EC2::FlowLog with TrafficType ALL references the VPC.',
  holds: (_r, context) =>
    resourcesOfType(context, 'AWS::EC2::FlowLog').some((f) => f.Properties?.TrafficType === 'ALL' && refersTo(f.Properties.ResourceId, context.logicalId)),
};

export const vpcDefaultSecurityGroupClosed: ComplianceControl = {
  id: 'vpc-default-sg-closed',
  title: 'The default security group of the VPC allows no traffic',
  resourceType: 'AWS::EC2::VPC',
  fsbp: ['EC2.2'],
  cis: ['5.4'],
  controlTower: [],
  evidence: 'A Custom::VpcRestrictDefaultSG resource removes every rule of the VPC default security group at deploy time.',
  holds: (_r, context) =>
    resourcesOfType(context, 'Custom::VpcRestrictDefaultSG').some((c) => refersTo(c.Properties?.DefaultSecurityGroupId, context.logicalId)),
};

type Rule = { CidrIp?: string; CidrIpv6?: string };
/** Any port open to the world counts: the control admits no world ingress at all. */
const opensToWorld = (rule: Rule) => rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';

export const noWorldIngress: ComplianceControl = {
  id: 'sg-no-world-ingress',
  title: 'No security group admits 0.0.0.0/0 or ::/0 on any port (so none on SSH or RDP)',
  resourceType: 'AWS::EC2::SecurityGroup',
  fsbp: ['EC2.13', 'EC2.14'],
  cis: ['5.2', '5.3'],
  controlTower: [],
  evidence: 'No SecurityGroupIngress entry (inline or separate) has CidrIp 0.0.0.0/0 or CidrIpv6 ::/0.',
  holds: (r, context) => {
    const inline = (r.Properties?.SecurityGroupIngress as Rule[] | undefined) ?? [];
    const separate = resourcesOfType(context, 'AWS::EC2::SecurityGroupIngress')
      .filter((i) => refersTo(i.Properties?.GroupId, context.logicalId))
      .map((i) => i.Properties as Rule);
    return ![...inline, ...separate].some((rule) => opensToWorld(rule));
  },
};

type Tag = { Key?: unknown; Value?: unknown };
const tagsOf = (r: TemplateResource) => ((r.Properties?.Tags as Tag[] | undefined) ?? []).filter((t) => typeof t.Key === 'string');

export const ebsStateVolumeProtected: ComplianceControl = {
  id: 'ebs-state-volume-protected',
  title: 'Agent state is on its own EBS volume that is encrypted with a customer-managed key, retained, and backed up daily',
  resourceType: 'AWS::EC2::Volume',
  fsbp: ['EC2.3', 'EC2.28'],
  cis: [],
  controlTower: [],
  evidence:
    'The volume has Encrypted true and a KmsKeyId, is retained (DeletionPolicy RetainExceptOnCreate or Retain, UpdateReplacePolicy Retain), and an ENABLED AWS::DLM::LifecyclePolicy ' +
    'in its template targets one of its tags with a schedule that creates a snapshot at least daily and keeps it at least one day.',
  weakenedBy: 'data-retention',
  holds: (r, context) => {
    const p = r.Properties ?? {};
    if (p.Encrypted !== true || p.KmsKeyId === undefined) return false;
    if (!isRetained(r)) return false;
    const tags = tagsOf(r);
    return resourcesOfType(context, 'AWS::DLM::LifecyclePolicy').some((policy) => {
      if (policy.Properties?.State !== 'ENABLED') return false;
      const details = (policy.Properties.PolicyDetails ?? {}) as { ResourceTypes?: unknown[]; TargetTags?: Tag[]; Schedules?: Record<string, unknown>[] };
      if (!details.ResourceTypes?.includes('VOLUME')) return false;
      const targets = details.TargetTags ?? [];
      if (!targets.some((t) => tags.some((v) => JSON.stringify(v.Key) === JSON.stringify(t.Key) && JSON.stringify(v.Value) === JSON.stringify(t.Value)))) return false;
      return (details.Schedules ?? []).some((s) => {
        const create = (s.CreateRule ?? {}) as { Interval?: number; IntervalUnit?: string; CronExpression?: string };
        const retain = (s.RetainRule ?? {}) as { Interval?: number; Count?: number };
        const daily = create.IntervalUnit === 'HOURS' && typeof create.Interval === 'number' && create.Interval <= 24;
        return daily && ((retain.Interval ?? 0) >= 1 || (retain.Count ?? 0) >= 1);
      });
    });
  },
};
