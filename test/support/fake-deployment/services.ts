/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { ssmFake } from './ssm';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [cloudFormationFake, ssmFake];
