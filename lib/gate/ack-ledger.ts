import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { BLUEPRINT_ACK_METADATA, WARNING_ACK_METADATA } from './acknowledge';

/** An acknowledgement found in the construct tree. */
export interface Acknowledgement {
  /** Construct path the acknowledgement is attached to. */
  readonly path: string;
  /** Rule ID, without CDK's `Annotation::` namespace. */
  readonly rule: string;
  readonly reason: string;
  /** True when attached to a single CloudFormation resource. */
  readonly onSingleResource: boolean;
  /**
   * `aws-cdk-lib` when the CDK library acknowledged one of its own
   * CloudFormation-validation rules on its own constructs (not subject to the
   * blueprint's one-resource rule, but listed in the report); `blueprint` otherwise.
   */
  readonly madeBy: 'blueprint' | 'aws-cdk-lib';
}

/** Namespace of CDK's built-in CloudFormation validation rules. */
const CDK_VALIDATE_NAMESPACE = 'CloudFormation-Validate::';

/** Strips the namespace CDK adds to IDs acknowledged without one. */
export const normalizeRuleId = (id: string) => id.replace(/^annotation::/i, '');

const ackKey = (path: string, rule: string) => `${path.replace(/^\//, '')}|${normalizeRuleId(rule)}`;

/** Every acknowledgement recorded anywhere under `root`. */
export function collectAcknowledgements(root: IConstruct): Acknowledgement[] {
  const acks: Acknowledgement[] = [];
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [rule, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = normalizeRuleId(rule);
        const viaBlueprint = node.node.metadata.some((m) => m.type === BLUEPRINT_ACK_METADATA && m.data === id);
        const madeBy = !viaBlueprint && id.startsWith(CDK_VALIDATE_NAMESPACE) ? 'aws-cdk-lib' : 'blueprint';
        acks.push({ path: node.node.path, rule: id, reason, onSingleResource: CfnResource.isCfnResource(node), madeBy });
      }
    }
  }
  return acks;
}

/** A CDK warning acknowledged with acknowledgeWarning(). */
export interface WarningAcknowledgement {
  readonly path: string;
  /** The warning's ID, e.g. `@aws-cdk/aws-cloudfront:minimumProtocolVersionWithoutCertificate`. */
  readonly id: string;
  readonly reason: string;
}

/** Every CDK warning acknowledgement recorded anywhere under `root`. */
export function collectWarningAcknowledgements(root: IConstruct): WarningAcknowledgement[] {
  return root.node
    .findAll()
    .flatMap((node) =>
      node.node.metadata
        .filter((m) => m.type === WARNING_ACK_METADATA)
        .map((m) => ({ path: node.node.path, ...(m.data as { id: string; reason: string }) })),
    );
}

/**
 * Records which acknowledgements actually suppressed a finding during
 * validation, so that stale ones can be told apart.
 */
export class AckLedger {
  private readonly used = new Set<string>();

  markUsed(path: string, rule: string): void {
    this.used.add(ackKey(path, rule));
  }

  isUsed(ack: Acknowledgement): boolean {
    return this.used.has(ackKey(ack.path, ack.rule));
  }
}
