import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ebsKeyThroughEc2 } from '../../lib/keys/ebs-key-through-ec2';

// What a principal gets of an encrypted EBS volume's key when EC2 uses the volume for it
// (start an instance, snapshot the volume): the key only through EC2 of the scope's region,
// grants only for AWS resources. Two regions show the region is the scope's, not a constant.

const statementsIn = (region: string, useSid: string) => {
  const stack = new Stack(new App(), 'Gateway', { env: { account: '123456789012', region } });
  const keyArn = `arn:aws:kms:${region}:123456789012:key/11111111-2222-3333-4444-555555555555`;
  const key = kms.Key.fromKeyArn(stack, 'Key', keyArn);
  return { keyArn, statements: ebsKeyThroughEc2(stack, key, useSid).map((s) => stack.resolve(s.toStatementJson()) as unknown) };
};

test.each([
  ['eu-west-1', 'UseTheVolumeKeyThroughEc2'],
  ['us-east-1', 'StartTheEncryptedVolumeThroughEc2'],
])('in %s: use of the key (Sid %s) and grants to EC2 for AWS resources, both only through EC2 of that region, on that key only', (region, useSid) => {
  const { keyArn, statements } = statementsIn(region, useSid);
  const viaEc2 = { 'kms:ViaService': `ec2.${region}.amazonaws.com` };
  expect(statements).toEqual([
    {
      Sid: useSid,
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      Resource: keyArn,
      Condition: { StringEquals: viaEc2 },
    },
    {
      Sid: 'GrantTheVolumeKeyToEc2',
      Effect: 'Allow',
      Action: 'kms:CreateGrant',
      Resource: keyArn,
      Condition: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ]);
});
