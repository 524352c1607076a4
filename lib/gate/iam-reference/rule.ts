import type { CfnResource } from 'aws-cdk-lib';

/** One finding of a rule on one resource. */
export interface ReferenceFinding {
  /** Granular ID: the gate reports (and one acknowledges) `IAMReference-<Rule>[<id>]`. */
  readonly id: string;
  /** Names the statement, what it holds, and what AWS's reference expects. */
  readonly message: string;
}

/** A rule of the IAMReference pack: one file each, like cdk-nag's rules. */
export interface ReferenceRule {
  /** Rule ID suffix, e.g. `ConditionKey`. */
  readonly id: string;
  readonly info: string;
  readonly explanation: string;
  readonly check: (node: CfnResource) => readonly ReferenceFinding[];
}
