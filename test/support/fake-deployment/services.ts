/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { cloudFrontFake } from './cloudfront';
import { ec2Fake } from './ec2';
import { wafv2Fake } from './wafv2';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [cloudFormationFake, cloudFrontFake, wafv2Fake, ec2Fake];
