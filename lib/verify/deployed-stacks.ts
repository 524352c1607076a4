/**
 * The stacks of one client x environment as templates: synthesized (npm run
 * verify) or deployed (the daily check reads them with GetTemplate). Checks
 * find the resources they look at here, by type, and resolve their physical
 * IDs through CloudFormation.
 */
import type { TemplateResource } from '../compliance/control';

/** The stacks of a deployment (`<prefix>-<client>-<env>-<role>`, lib/deployment-stage.ts). */
export const STACK_ROLES = ['core', 'network', 'gateway', 'edge', 'spend'] as const;
export type StackRole = (typeof STACK_ROLES)[number];

export interface StackTemplate {
  readonly Resources?: Readonly<Record<string, TemplateResource>>;
  readonly Outputs?: Readonly<Record<string, unknown>>;
}

export interface DeployedStack {
  readonly stackName: string;
  readonly role: StackRole;
  readonly region: string;
  readonly template: StackTemplate;
}

/** A resource of a template. */
export interface TemplateRef {
  readonly stack: DeployedStack;
  readonly logicalId: string;
  readonly resource: TemplateResource;
}

/** The role of `stackName` in deployment `name`, or undefined when it is not one of its stacks. */
export function stackRole(name: string, stackName: string): StackRole | undefined {
  return STACK_ROLES.find((r) => stackName === `${name}-${r}`);
}

/** Every resource of type `type` (in the stack of `role` only, when given), in template order. */
export function findResources(stacks: readonly DeployedStack[], type: string, role?: StackRole): TemplateRef[] {
  return stacks
    .filter((s) => role === undefined || s.role === role)
    .flatMap((stack) =>
      Object.entries(stack.template.Resources ?? {})
        .filter(([, r]) => r.Type === type)
        .map(([logicalId, resource]) => ({ stack, logicalId, resource })),
    );
}

/** `<stack>/<logicalId>`, for evidence when no physical ID is known. */
export const refLabel = (ref: TemplateRef) => `${ref.stack.stackName}/${ref.logicalId}`;
