import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { BuiltApp } from '../../lib/app';
import { AL2023_ARM64_AMI_PARAMETER, currentAmiCommand } from '../../lib/config/ami';
import { ConfigError } from '../../lib/config/errors';
import { INSTANCE_PROPERTIES_UPDATED_IN_PLACE, logicalIdFollowsReplacement } from '../../lib/host/replacement-identity';
import type { DeploymentStage } from '../../lib/deployment-stage';
import type { GateFinding } from '../../lib/gate/finding';
import { buildForTest, gateFindings } from '../support/build';
import { CONFIG_DIR, configFixture } from '../support/config-fixture';

// Replacing the gateway host must be safe and deliberate: a new AMI or bundle
// replaces the instance under a new logical ID, the stacks that use its ID
// (edge in us-east-1, spend) follow it in the same `cdk deploy <stage>/*`
// because their templates change too, and nothing (an export in use, API
// termination protection) makes CloudFormation refuse the replacement.

type Resource = { Type: string; Properties?: Record<string, unknown> };
type CfnTemplate = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown; Export?: unknown }>; Parameters?: Record<string, { Type?: string; Default?: unknown }> };
type StackName = 'core' | 'network' | 'gateway' | 'edge' | 'spend';
const STACKS: readonly StackName[] = ['core', 'network', 'gateway', 'edge', 'spend'];

const templateOf = (stage: DeploymentStage, name: StackName): CfnTemplate => stage.synth().getStackArtifact(stage[name].artifactId).template as CfnTemplate;
const templatesOf = (stage: DeploymentStage) => Object.fromEntries(STACKS.map((s) => [s, templateOf(stage, s)])) as Record<StackName, CfnTemplate>;
const idsOfType = (t: CfnTemplate, type: string) => Object.keys(t.Resources).filter((id) => t.Resources[id]!.Type === type);
/** Does `value` (a template fragment) reference the resource `logicalId` (Ref, GetAtt, or Sub)? */
const mentions = (value: unknown, logicalId: string) => JSON.stringify(value).includes(`"${logicalId}"`) || JSON.stringify(value).includes(`\${${logicalId}`);
const getStackOutputs = (value: unknown): { StackName: string; OutputName: string; Region?: string }[] => {
  const found: { StackName: string; OutputName: string; Region?: string }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === 'Fn::GetStackOutput') found.push(child as { StackName: string; OutputName: string; Region?: string });
        else walk(child);
      }
    }
  };
  walk(value);
  return found;
};
/** The one gateway host of a gateway template. */
const hostIdOf = (gateway: CfnTemplate) => {
  const ids = idsOfType(gateway, 'AWS::EC2::Instance');
  expect(ids).toHaveLength(1);
  return ids[0]!;
};

const exampleClientYaml = fs.readFileSync(path.join(CONFIG_DIR, 'clients', 'example', 'client.yaml'), 'utf8');
const exampleSoul = fs.readFileSync(path.join(CONFIG_DIR, 'clients', 'example', 'agents', 'support', 'SOUL.md'), 'utf8');
const configuredAmi = /^ {2}amiId: (ami-[0-9a-f]+)$/m.exec(exampleClientYaml)![1]!;

/** example/dev synthesized from a temporary copy of config/ with `files` applied. */
function synthDev(files: Record<string, string>): Record<StackName, CfnTemplate> {
  const root = configFixture(files);
  const built = buildForTest({ client: 'example', env: 'dev' }, path.join(root, 'config'), root);
  built.app.synth();
  return templatesOf(built.deployments[0]!.stage);
}

describe('every deployment of the example, with strong cross-stack references as the app-wide default', () => {
  let built: BuiltApp;
  let findings: GateFinding[];
  beforeAll(() => {
    // The app-wide default may be strong (cdk.json): the host's own WEAK setting must win.
    built = buildForTest({ client: 'example', env: 'all', '@aws-cdk/core:defaultCrossStackReferences': 'strong' });
    findings = gateFindings(built);
  });

  test('covers every environment and passes the gate', () => {
    expect(built.deployments.map((d) => d.config.env)).toEqual(['dev', 'prod', 'staging']);
    expect(findings).toEqual([]);
  });

  test('(a) no export, import or cross-region export writer/reader carries the gateway instance; the consumers read it with Fn::GetStackOutput', () => {
    for (const { stage } of built.deployments) {
      const t = templatesOf(stage);
      const host = hostIdOf(t.gateway);
      // Exports of the gateway stack (Fn::ImportValue targets) and its cross-region writer.
      const exported = Object.entries(t.gateway.Outputs ?? {}).filter(([, o]) => o.Export !== undefined && mentions(o.Value, host));
      expect(exported.map(([id]) => `${stage.stageName} gateway export ${id}`)).toEqual([]);
      for (const id of idsOfType(t.gateway, 'Custom::CrossRegionExportWriter')) {
        const exports = (t.gateway.Resources[id]!.Properties!.WriterProps as { exports: Record<string, unknown> }).exports;
        expect(Object.entries(exports).filter(([, v]) => mentions(v, host)).map(([k]) => `${stage.stageName} writer ${k}`)).toEqual([]);
      }
      // Nothing in the consumers imports a value whose export or SSM name is built from the host's logical ID.
      for (const consumer of ['edge', 'spend'] as const) {
        const text = JSON.stringify(t[consumer]);
        expect(text).not.toMatch(new RegExp(`"Fn::ImportValue":"[^"]*${host.slice(0, 15)}`));
        for (const id of idsOfType(t[consumer], 'Custom::CrossRegionExportReader')) {
          const imports = (t[consumer].Resources[id]!.Properties!.ReaderProps as { imports: Record<string, unknown> }).imports;
          expect(Object.keys(imports).filter((k) => k.includes(host.slice(0, 15)))).toEqual([]);
        }
        // ... and every reference to the host goes through Fn::GetStackOutput to an output of the gateway stack holding it.
        const reads = getStackOutputs(t[consumer]);
        expect(reads.length).toBeGreaterThan(0);
        for (const read of reads) {
          expect(read.StackName).toBe(stage.gateway.stackName);
          expect(read.Region).toBe(stage.gateway.region);
          const output = t.gateway.Outputs?.[read.OutputName];
          expect(output).toBeDefined();
          expect(output!.Export).toBeUndefined();
          expect(mentions(output!.Value, host)).toBe(true);
        }
      }
    }
  });

  test('(c) prod: every stack has termination protection and no instance has API termination protection', () => {
    const prod = built.deployments.find((d) => d.config.env === 'prod')!.stage;
    expect(STACKS.map((s) => [s, prod[s].terminationProtection])).toEqual(STACKS.map((s) => [s, true]));
    const t = templatesOf(prod);
    const instances = STACKS.flatMap((s) => idsOfType(t[s], 'AWS::EC2::Instance').map((id) => ({ s, id, p: t[s].Resources[id]!.Properties! })));
    expect(instances.map((i) => i.s).sort()).toEqual(['gateway', 'network']);
    for (const i of instances) expect([i.id, i.p.DisableApiTermination ?? false]).toEqual([i.id, false]);
  });

  test('(d) the gateway host and the NAT instance launch the AMIs pinned in config; no template reads a "latest" AMI parameter', () => {
    for (const { config, stage } of built.deployments) {
      const t = templatesOf(stage);
      expect(t.gateway.Resources[hostIdOf(t.gateway)]!.Properties!.ImageId).toBe(config.instance.amiId);
      const [nat] = idsOfType(t.network, 'AWS::EC2::Instance');
      expect(t.network.Resources[nat!]!.Properties!.ImageId).toBe(config.network.natAmiId);
      for (const s of STACKS) {
        const parameters = Object.entries(t[s].Parameters ?? {});
        expect(parameters.filter(([, p]) => String(p.Default ?? '').startsWith('/aws/service/') || String(p.Type).includes('AWS::EC2::Image::Id')).map(([k]) => `${s}: ${k}`)).toEqual([]);
        expect(JSON.stringify(t[s])).not.toContain('/aws/service/ami-amazon-linux-latest');
      }
    }
    expect(configuredAmi).toMatch(/^ami-[0-9a-f]{17}$/);
  });
});

describe('(b) a change that replaces the host changes its logical ID, and the consumers follow', () => {
  let base: Record<StackName, CfnTemplate>;
  let newBundle: Record<StackName, CfnTemplate>;
  let newAmi: Record<StackName, CfnTemplate>;
  const otherAmi = 'ami-0aaaaaaaaaaaaaaa1';

  beforeAll(() => {
    base = synthDev({});
    newBundle = synthDev({ 'clients/example/agents/support/SOUL.md': `${exampleSoul}\nAlways answer in English.\n` });
    newAmi = synthDev({ 'clients/example/client.yaml': exampleClientYaml.replace(`amiId: ${configuredAmi}`, `amiId: ${otherAmi}`) });
    expect(newAmi.gateway.Resources[hostIdOf(newAmi.gateway)]!.Properties!.ImageId).toBe(otherAmi);
  });

  test('the same config gives the same templates (the logical ID is deterministic)', () => {
    expect(synthDev({})).toEqual(base);
  });

  test.each([
    ['an edited agent file (new bundle, new user data)', () => newBundle],
    ['a new pinned AMI', () => newAmi],
  ])('%s: new host logical ID; edge and spend read the new one; core and network unchanged', (_what, after) => {
    const changed = after();
    const [before, now] = [hostIdOf(base.gateway), hostIdOf(changed.gateway)];
    expect(now).not.toBe(before);
    for (const consumer of ['edge', 'spend'] as const) {
      expect(changed[consumer]).not.toEqual(base[consumer]);
      const reads = getStackOutputs(changed[consumer]);
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) {
        expect(mentions(changed.gateway.Outputs![read.OutputName]!.Value, now)).toBe(true);
        // The old output is gone from the gateway stack: nothing can keep reading the old host.
        expect(getStackOutputs(base[consumer]).map((r) => r.OutputName)).not.toContain(read.OutputName);
      }
    }
    expect(changed.core).toEqual(base.core);
    expect(changed.network).toEqual(base.network);
  });
});

describe('the host logical ID follows exactly the properties CloudFormation replaces an instance for', () => {
  // A bare instance with a launch template and an instance in another stack's VPC: no gate, no config.
  function host(change: { ami?: string; type?: string; tag?: string; hopLimit?: number; subnet?: number } = {}) {
    const app = new App();
    const env = { account: '123456789012', region: 'eu-west-1' };
    const net = new Stack(app, 'Net', { env });
    const vpc = new ec2.Vpc(net, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const stack = new Stack(app, 'Host', { env });
    const instance = new ec2.Instance(stack, 'Host', {
      vpc,
      vpcSubnets: { subnets: [vpc.isolatedSubnets[change.subnet ?? 0]!] },
      instanceType: new ec2.InstanceType(change.type ?? 't4g.small'),
      machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': change.ami ?? 'ami-0123456789abcdef0' }),
    });
    const template = new ec2.LaunchTemplate(instance, 'Options', { httpPutResponseHopLimit: change.hopLimit ?? 1, requireImdsv2: true });
    const cfn = instance.node.defaultChild as ec2.CfnInstance;
    cfn.launchTemplate = { launchTemplateId: template.launchTemplateId, version: template.latestVersionNumber };
    if (change.tag) cfn.tags.setTag('team', change.tag);
    logicalIdFollowsReplacement(cfn);
    const resources = app.synth().getStackByName('Host').template.Resources as Record<string, Resource>;
    return Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::EC2::Instance')!;
  }

  test('a new AMI, subnet or launch template version gives a new logical ID; a tag or instance type (updated in place) does not', () => {
    const base = host();
    expect(host()).toBe(base);
    expect(host({ ami: 'ami-0fffffffffffffff1' })).not.toBe(base);
    expect(host({ subnet: 1 })).not.toBe(base);
    // The launch template's own data: CloudFormation replaces the instance for its new LatestVersionNumber.
    expect(host({ hopLimit: 2 })).not.toBe(base);
    expect(host({ tag: 'ops' })).toBe(base);
    expect(host({ type: 't4g.medium' })).toBe(base);
  });

  test('the properties left out of the digest are ones CloudFormation updates without replacing the instance (its resource spec)', () => {
    // The spec cdk diff itself uses (@aws-cdk/cloudformation-diff, a dev dependency).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadResourceModel } = require('@aws-cdk/cloudformation-diff/lib/diff/util') as {
      loadResourceModel: (type: string) => { properties: Record<string, { causesReplacement?: string }> };
    };
    const spec = loadResourceModel('AWS::EC2::Instance').properties;
    const impact = Object.fromEntries(INSTANCE_PROPERTIES_UPDATED_IN_PLACE.map((p) => [p, spec[p]?.causesReplacement ?? (p in spec ? 'no' : 'unknown property')]));
    // InstanceType: "maybe" only for instance-store roots; the host is EBS-backed (stop, change, start; same ID).
    expect(impact).toEqual(Object.fromEntries(INSTANCE_PROPERTIES_UPDATED_IN_PLACE.map((p) => [p, p === 'InstanceType' ? 'maybe' : 'no'])));
    for (const p of ['ImageId', 'SubnetId', 'NetworkInterfaces', 'LaunchTemplate', 'AvailabilityZone', 'UserData', 'BlockDeviceMappings']) {
      expect(INSTANCE_PROPERTIES_UPDATED_IN_PLACE as readonly string[]).not.toContain(p);
    }
  });
});

describe('(e) a missing pinned AMI stops the build with the file, the key and the command that prints the current one', () => {
  const buildError = (files: Record<string, string>, env = 'dev') => {
    const root = configFixture(files);
    try {
      buildForTest({ client: 'example', env }, path.join(root, 'config'), root);
    } catch (e) {
      return e as Error;
    }
    throw new Error('the build did not fail');
  };
  /** The example's client.yaml without the `instance:` block, or without `network:` and its natAmiId. */
  const without = (key: 'amiId' | 'natAmiId') => {
    const block = key === 'amiId' ? /^instance:\n {2}amiId: ami-[0-9a-f]+\n/m : /^network:\n( {2}#.*\n)* {2}natAmiId: ami-[0-9a-f]+\n/m;
    expect(exampleClientYaml).toMatch(block);
    return exampleClientYaml.replace(block, '');
  };

  test('instance.amiId', () => {
    const e = buildError({ 'clients/example/client.yaml': without('amiId') });
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).problems).toEqual([
      expect.objectContaining({ file: 'config/clients/example/client.yaml', path: 'instance.amiId' }),
    ]);
    expect(e.message).toContain(`config/clients/example/client.yaml: instance.amiId: required but not set`);
    expect(e.message).toContain(
      'aws ssm get-parameter --region eu-west-1 --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64 --query Parameter.Value --output text',
    );
    expect(currentAmiCommand('eu-west-1')).toContain(AL2023_ARM64_AMI_PARAMETER);
  });

  test('network.natAmiId with a NAT instance, and not with a NAT gateway', () => {
    const e = buildError({ 'clients/example/client.yaml': without('natAmiId') });
    expect((e as ConfigError).problems).toEqual([expect.objectContaining({ file: 'config/clients/example/client.yaml', path: 'network.natAmiId' })]);
    expect(e.message).toContain('--region eu-west-1 --name /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    const gateway = `${without('natAmiId')}network:\n  natMode: gateway\n`;
    const root = configFixture({ 'clients/example/client.yaml': gateway });
    expect(() => buildForTest({ client: 'example', env: 'dev' }, path.join(root, 'config'), root)).not.toThrow();
  });

  test('names the file that sets aws.region, and the region, when an environment overlay moves the client to another region', () => {
    const domain = 'edge:\n  customDomain:\n    domainName: agents.example.com\n    certificateArn: arn:aws:acm:us-east-1:210987654321:certificate/11111111-1111-4111-8111-111111111111\n';
    const e = buildError({ 'clients/example/prod.yaml': `aws:\n  account: "210987654321"\n  region: eu-central-1\n${domain}` }, 'prod');
    expect((e as ConfigError).problems.map((p) => [p.file, p.path])).toEqual([
      ['config/clients/example/client.yaml', 'instance.amiId'],
      ['config/clients/example/client.yaml', 'network.natAmiId'],
    ]);
    expect(e.message).toMatch(/instance\.amiId: found "ami-[0-9a-f]+", set before config\/clients\/example\/prod\.yaml sets aws\.region to eu-central-1/);
    expect(e.message).toContain('aws ssm get-parameter --region eu-central-1 ');
  });

  test('an AMI ID of the wrong shape is refused by the schema', () => {
    const e = buildError({ 'clients/example/client.yaml': exampleClientYaml.replace(`amiId: ${configuredAmi}`, 'amiId: ami-12345') });
    expect(e.message).toMatch(/config\/clients\/example\/client\.yaml:\d+: instance\.amiId: found "ami-12345"; expected an AMI ID/);
  });
});

describe('the NAT instance follows its own replacing changes', () => {
  test('a new NAT AMI gives the NAT instance a new logical ID (its new setup runs on a new instance), and the private route follows it', () => {
    const natOf = (files: Record<string, string>) => {
      const root = configFixture(files);
      const built = buildForTest({ client: 'example', env: 'dev' }, path.join(root, 'config'), root);
      const network = Template.fromStack(built.deployments[0]!.stage.network).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
      const [id] = Object.entries(network.Resources).find(([, r]) => r.Type === 'AWS::EC2::Instance')!;
      const routes = Object.values(network.Resources).filter((r) => r.Type === 'AWS::EC2::Route' && JSON.stringify(r.Properties.InstanceId ?? '').includes(id));
      return { id, routes: routes.length };
    };
    const before = natOf({});
    const client = fs.readFileSync(path.join(CONFIG_DIR, 'clients', 'example', 'client.yaml'), 'utf8');
    const after = natOf({ 'clients/example/client.yaml': client.replace(/natAmiId: ami-[0-9a-f]+/, 'natAmiId: ami-0aaaaaaaaaaaaaaa1') });
    expect(after.id).not.toBe(before.id);
    // Both private subnets route through the (new) NAT instance.
    expect([before.routes, after.routes]).toEqual([2, 2]);
  }, 300_000);
});
