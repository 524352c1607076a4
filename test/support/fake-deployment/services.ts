/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { budgetsFake } from './budgets';
import { cloudFrontFake } from './cloudfront';
import { cloudTrailFake } from './cloudtrail';
import { cloudWatchFake } from './cloudwatch';
import { costExplorerFake } from './cost-explorer';
import { ec2Fake } from './ec2';
import { killWorldFake } from './kill-world';
import { lambdaFake } from './lambda';
import { logsFake } from './logs';
import { s3Fake } from './s3';
import { secretsManagerFake } from './secrets-manager';
import { snsFake } from './sns';
import { ssmFake } from './ssm';
import { wafv2Fake } from './wafv2';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [
  cloudFormationFake,
  cloudFrontFake,
  wafv2Fake,
  ec2Fake,
  ssmFake,
  secretsManagerFake,
  s3Fake,
  cloudTrailFake,
  logsFake,
  cloudWatchFake,
  snsFake,
  budgetsFake,
  costExplorerFake,
  lambdaFake,
  // Layered over the EC2, SSM and IAM fakes: keep it after them.
  killWorldFake,
];
