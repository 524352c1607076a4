/** Every service fake of the fake deployment; installFakeAws installs them all. */
import { budgetsFake } from './budgets';
import { cloudWatchFake } from './cloudwatch';
import { costExplorerFake } from './cost-explorer';
import { killWorldFake } from './kill-world';
import { lambdaFake } from './lambda';
import { snsFake } from './sns';
import { cloudFormationFake, type ServiceFake } from './world';

export const SERVICE_FAKES: readonly ServiceFake[] = [
  cloudFormationFake,
  cloudWatchFake,
  snsFake,
  budgetsFake,
  costExplorerFake,
  lambdaFake,
  // Layered over the EC2, SSM and IAM fakes: keep it after them.
  killWorldFake,
];
