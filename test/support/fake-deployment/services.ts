/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { cloudTrailFake } from './cloudtrail';
import { logsFake } from './logs';
import { s3Fake } from './s3';
import { secretsManagerFake } from './secrets-manager';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [cloudFormationFake, secretsManagerFake, s3Fake, cloudTrailFake, logsFake];
