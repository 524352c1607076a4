import type { ComplianceControl } from './control';
import { kmsGrantsForAwsServicesOnly, kmsKeyRetained, kmsKeyRotation } from './controls/kms';

/**
 * Every control the compliance report knows. A control is "present" when the
 * deployment has a resource of its type; it must then hold on every such
 * resource, or the gate fails. Controls a config exception weakens are
 * exempted by ID (see lib/gate/evaluate.ts).
 */
export const CONTROL_CATALOGUE: readonly ComplianceControl[] = [kmsKeyRotation, kmsKeyRetained, kmsGrantsForAwsServicesOnly];
