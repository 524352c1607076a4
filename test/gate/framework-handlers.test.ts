import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, CustomResourceProvider, CustomResourceProviderRuntime, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { collectAcknowledgements } from '../../lib/gate/ack-ledger';
import { acknowledgeFrameworkHandlers } from '../../lib/gate/framework-handlers';

// aws-cdk-lib's deploy-time handlers acknowledged for Control Tower's
// lambda_inside_vpc_check, one handler at a time, each with its own reason.

const RULE = 'cdk-validator-cfnguard::lambda_inside_vpc_check';
const TAIL = ' Inside this VPC it could reach neither API (no interface endpoints, by design for cost).';
const stack = () => new Stack(new App({ builtinCloudFormationValidation: false }), 'S');
const CODE = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-handler-'));
fs.writeFileSync(path.join(CODE, 'index.js'), 'exports.handler = async () => ({});\n');
/** A singleton provider as aws-cdk-lib makes its own (construct ID `<type>CustomResourceProvider`, a `Handler` function). */
const provider = (scope: Construct, type: string) =>
  CustomResourceProvider.getOrCreateProvider(scope, type, { codeDirectory: CODE, runtime: CustomResourceProviderRuntime.NODEJS_22_X });
const acks = (root: Construct) => collectAcknowledgements(root).filter((a) => a.madeBy === 'blueprint').map((a) => [a.path, a.rule, a.reason]);

test('the default-security-group handler of a VPC is acknowledged on its Handler, with its reason', () => {
  const s = stack();
  new ec2.Vpc(s, 'Vpc', { restrictDefaultSecurityGroup: true, natGateways: 0, maxAzs: 1, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  acknowledgeFrameworkHandlers(s);
  expect(acks(s)).toEqual([
    [
      'S/Custom::VpcRestrictDefaultSGCustomResourceProvider/Handler',
      RULE,
      'aws-cdk-lib deploy-time handler that strips every rule from the default security group; it runs only while deploying and calls the EC2 API.' + TAIL,
    ],
  ]);
});

test('the cross-region reference writer and reader are acknowledged, each with its reason', () => {
  const s = stack();
  provider(s, 'Custom::CrossRegionExportWriter');
  provider(s, 'Custom::CrossRegionExportReader');
  acknowledgeFrameworkHandlers(s.node.scope!);
  expect(acks(s)).toEqual([
    [
      'S/Custom::CrossRegionExportWriterCustomResourceProvider/Handler',
      RULE,
      'aws-cdk-lib deploy-time handler that writes cross-region references (SSM parameters in us-east-1); it runs only while deploying and calls the SSM API.' + TAIL,
    ],
    [
      'S/Custom::CrossRegionExportReaderCustomResourceProvider/Handler',
      RULE,
      'aws-cdk-lib deploy-time handler that reads cross-region references (SSM parameters); it runs only while deploying and calls the SSM API.' + TAIL,
    ],
  ]);
});

test('other handlers, and a construct of that name without a Handler, are left alone', () => {
  const s = stack();
  provider(s, 'Custom::SomethingElse');
  const lookalike = new Construct(s, 'Custom::VpcRestrictDefaultSGCustomResourceProvider');
  new CfnResource(lookalike, 'NotTheHandler', { type: 'AWS::Lambda::Function' });
  const nested = new Construct(s, 'Nested');
  new CfnResource(new Construct(nested, 'Custom::CrossRegionExportReaderCustomResourceProviders'), 'Handler', { type: 'AWS::Lambda::Function' });
  acknowledgeFrameworkHandlers(s);
  expect(acks(s)).toEqual([]);
});

test('handlers anywhere below the root are found (a stack in a deployment stage, from the app)', () => {
  const app = new App({ builtinCloudFormationValidation: false });
  provider(new Stack(new Stage(app, 'one'), 'S'), 'Custom::CrossRegionExportReader');
  acknowledgeFrameworkHandlers(app);
  expect(acks(app).map((a) => a[0])).toEqual(['one/S/Custom::CrossRegionExportReaderCustomResourceProvider/Handler']);
});
