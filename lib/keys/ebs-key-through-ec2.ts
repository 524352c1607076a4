import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';

/**
 * What a principal needs of the customer-managed key of an encrypted EBS volume
 * when it makes EC2 use that volume for it (start an instance, snapshot the
 * volume), and nothing more: the key only through EC2 of this region, and
 * grants only for AWS resources.
 * @param useSid the Sid of the use statement (the grant's is GrantTheVolumeKeyToEc2)
 */
export function ebsKeyThroughEc2(scope: IConstruct, key: kms.IKey, useSid: string): iam.PolicyStatement[] {
  const viaEc2 = { 'kms:ViaService': `ec2.${Stack.of(scope).region}.amazonaws.com` };
  return [
    new iam.PolicyStatement({
      sid: useSid,
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
      resources: [key.keyArn],
      conditions: { StringEquals: viaEc2 },
    }),
    new iam.PolicyStatement({
      sid: 'GrantTheVolumeKeyToEc2',
      actions: ['kms:CreateGrant'],
      resources: [key.keyArn],
      conditions: { StringEquals: viaEc2, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  ];
}
