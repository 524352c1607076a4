import { Validations, type App, type CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { normalizeRuleId, type AckLedger } from './ack-ledger';
import { IAM_REFERENCE_PLUGIN_LABEL, IamReferenceChecks } from './iam-reference/pack';
import { ScopedCfnGuardValidator } from './scoped-guard';

/** The rule packs every synth is checked against. */
export const GATE_PLUGIN_NAMES = [
  'AwsSolutions',
  'NIST.800.53.R5',
  'HIPAA.Security',
  IAM_REFERENCE_PLUGIN_LABEL,
  'cdk-validator-cfnguard (AWS Control Tower proactive controls)',
  'CloudFormation Validate (aws-cdk-lib default rules, as errors)',
] as const;

/**
 * cdk-nag honours acknowledgements itself and never reports what it
 * suppressed. To detect stale acknowledgements, wrap its lookup so that every
 * acknowledgement that did suppress a finding is recorded in the ledger. The
 * lookup mirrors cdk-nag 3.0.2 (pinned): the resource and its ancestors.
 */
function tracked<T extends NagPack>(pack: T, ledger: AckLedger): T {
  const lookup = (resource: CfnResource, ruleId: string): boolean => {
    for (let current: IConstruct | undefined = resource; current; current = current.node.scope) {
      for (const entry of current.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        if (Object.keys(entry.data as object).map(normalizeRuleId).includes(ruleId)) {
          ledger.markUsed(current.node.path, ruleId);
          return true;
        }
      }
    }
    return false;
  };
  const internals = pack as unknown as { isAcknowledged?: unknown };
  if (typeof internals.isAcknowledged !== 'function') {
    throw new Error('cdk-nag internals changed (NagPack.isAcknowledged is gone): update lib/gate/plugins.ts before upgrading cdk-nag');
  }
  internals.isAcknowledged = lookup;
  return pack;
}

/** Registers every rule pack of the gate on the app (they walk the whole tree). */
export function installGatePlugins(app: App, ledger: AckLedger): void {
  Validations.of(app).addPlugins(
    tracked(new AwsSolutionsChecks(app, { verbose: true }), ledger),
    tracked(new NIST80053R5Checks(app, { verbose: true }), ledger),
    tracked(new HIPAASecurityChecks(app, { verbose: true }), ledger),
    tracked(new IamReferenceChecks(app, { verbose: true }), ledger),
    new ScopedCfnGuardValidator(),
  );
}
