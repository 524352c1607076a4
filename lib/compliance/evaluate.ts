import type { ComplianceControl, TemplateResource } from './control';

/** One synthesized stack template. */
export interface SynthesizedTemplate {
  readonly stackName: string;
  readonly templateFile: string;
  readonly template: { readonly Resources?: Record<string, TemplateResource> };
}

export interface ControlResult {
  readonly control: ComplianceControl;
  /** `<stackName>/<logicalId>` of each resource the control applies to. */
  readonly resources: readonly { readonly id: string; readonly holds: boolean }[];
  /** holds: on every resource; weakened: an approved exception covers it; fails: otherwise. */
  readonly status: 'holds' | 'weakened' | 'fails';
}

/**
 * Evaluates every control that applies to some resource of the deployment.
 * Controls with no resource of their type are not present and not listed.
 */
export function evaluateControls(
  catalogue: readonly ComplianceControl[],
  templates: readonly SynthesizedTemplate[],
  weakenedHardenedControls: ReadonlySet<string>,
): ControlResult[] {
  const results: ControlResult[] = [];
  for (const control of catalogue) {
    const resources = templates.flatMap((t) =>
      Object.entries(t.template.Resources ?? {})
        .filter(([, r]) => r.Type === control.resourceType && (control.appliesTo?.(r) ?? true))
        .map(([logicalId, r]) => ({
          id: `${t.stackName}/${logicalId}`,
          holds: control.holds(r, { logicalId, resources: t.template.Resources ?? {} }),
        })),
    );
    if (resources.length === 0) continue;
    const allHold = resources.every((r) => r.holds);
    // Only consulted when some resource fails (allHold wins).
    const weakened = control.weakenedBy !== undefined && weakenedHardenedControls.has(control.weakenedBy);
    results.push({ control, resources, status: allHold ? 'holds' : weakened ? 'weakened' : 'fails' });
  }
  return results;
}
