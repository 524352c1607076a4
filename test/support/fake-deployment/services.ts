/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { cloudFrontFake } from './cloudfront';
import { cloudTrailFake } from './cloudtrail';
import { ec2Fake } from './ec2';
import { logsFake } from './logs';
import { s3Fake } from './s3';
import { secretsManagerFake } from './secrets-manager';
import { ssmFake } from './ssm';
import { wafv2Fake } from './wafv2';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [cloudFormationFake, cloudFrontFake, wafv2Fake, ec2Fake, ssmFake, secretsManagerFake, s3Fake, cloudTrailFake, logsFake];
