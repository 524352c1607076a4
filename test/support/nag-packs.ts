import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';

/** The gate's three cdk-nag packs, as `test.each` rows (name, fresh pack), for nag tests on a bare stack. */
export const NAG_PACKS: readonly (readonly [string, () => NagPack])[] = [
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['NIST 800-53 R5', () => new NIST80053R5Checks()],
  ['HIPAA Security', () => new HIPAASecurityChecks()],
];
