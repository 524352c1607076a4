import type { HardenedControlId } from '../config/hardened-controls';

/** A resource as it appears in a synthesized CloudFormation template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** Where a resource sits in its template. */
export interface ResourceContext {
  readonly logicalId: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
}

/** Decides, on the synthesized template, whether a control holds for a resource. */
export interface ComplianceControl {
  /** Short stable ID used in the report, e.g. `kms-key-rotation`. */
  readonly id: string;
  readonly title: string;
  /** CloudFormation resource type the control applies to. */
  readonly resourceType: string;
  /** AWS Foundational Security Best Practices control IDs it satisfies. */
  readonly fsbp: readonly string[];
  /** CIS AWS Foundations Benchmark v3.0.0 recommendation IDs it satisfies. */
  readonly cis: readonly string[];
  /** AWS Control Tower proactive control IDs that also check it in the gate. */
  readonly controlTower: readonly string[];
  /** What is checked, in one sentence, for the report. */
  readonly evidence: string;
  /** The hardened config control whose approved exception may weaken this one. */
  readonly weakenedBy?: HardenedControlId;
  /**
   * Returns true when `resource` satisfies the control. `context` gives the
   * resource's logical ID and the other resources of its template, for
   * controls that span resources (a VPC and its flow log).
   */
  readonly holds: (resource: TemplateResource, context: ResourceContext) => boolean;
  /** Narrows the resources of `resourceType` the control applies to. @default all */
  readonly appliesTo?: (resource: TemplateResource) => boolean;
}
