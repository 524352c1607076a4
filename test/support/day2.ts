/**
 * The day-2 checker: what goes wrong when a deployment that already runs is
 * deployed again after a change. Pure: synthesized templates before and after
 * the change in, findings out. It uses CDK's own diff library
 * (@aws-cdk/cloudformation-diff, what `cdk diff` prints) for the per-resource
 * impact, and adds what that library does not model:
 *
 * - replacement is transitive: a property that references a replaced resource
 *   gets a new value although its text does not change. The library follows
 *   Ref / Fn::GetAtt to a WILL_REPLACE resource inside one stack; this checker
 *   also follows MAY_REPLACE (conservatively, as a replacement), Fn::Sub and,
 *   across stacks, exports, CDK's cross-region SSM exports and
 *   Fn::GetStackOutput: the references are rewritten to a marked name and the
 *   stacks diffed again until nothing new is replaced or changed;
 * - a logical ID that changes (CDK's user-data hash on an instance) is a
 *   replacement too: the old resource is deleted and a new one created;
 * - MAY_REPLACE of an EBS-backed EC2 instance from UserData / InstanceType /
 *   EbsOptimized only is a stop and start (same instance ID), as CloudFormation
 *   documents it, not a replacement;
 * - MAY_REPLACE of an AWS::SSM::Document with `UpdateMethod: NewVersion` from
 *   its content, format, target type, attachments, requirements or version name
 *   is a new version of the same named document, not a replacement.
 *
 * Finding kinds:
 * - export-in-use: an export (Outputs.Export or a Custom::CrossRegionExportWriter
 *   parameter) that another stack imports before the change is removed or gets
 *   another value. CloudFormation refuses to change or delete an export in use
 *   (the producer's deploy fails); the cross-region writer of the pinned
 *   aws-cdk-lib deletes removed parameters although they are read and never
 *   rewrites the value of a parameter whose name stays, so the consumer keeps
 *   the old value.
 * - replaced-fixed-name / replaced-retained: a resource with a physical name
 *   fixed in the template that stays the same (CloudFormation creates the replacement first: the
 *   name is taken, the update fails) or with DeletionPolicy/UpdateReplacePolicy
 *   Retain or RetainExceptOnCreate (the old resource is orphaned with its data)
 *   is replaced.
 * - stale-consumer: a value another stack reads (strong or weak reference:
 *   an export, a cross-region export, an output read with Fn::GetStackOutput,
 *   an AWS::SSM::Parameter read by its name in any string, e.g.
 *   {{resolve:ssm:...}} or a custom resource's GetParameter call)
 *   changes, e.g. because the resource behind it is replaced, while the
 *   consumer's template stays the same: the CDK CLI skips that stack as "no
 *   changes" and it keeps pointing at the dead resource.
 * - template-changed: checkUnchanged() for stacks a change must not touch.
 */
import { deepEqual, fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
// Not re-exported by the package index: the service-spec lookup cdk diff itself
// uses for replacement impact (name properties, primary identifiers).
import { loadResourceModel } from '@aws-cdk/cloudformation-diff/lib/diff/util';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  readonly [key: string]: unknown;
}

/** One synthesized stack. */
export interface SynthStack {
  readonly stackName: string;
  readonly region: string;
  readonly account?: string;
  readonly template: CfnTemplate;
}

export type Day2FindingKind = 'export-in-use' | 'replaced-fixed-name' | 'replaced-retained' | 'stale-consumer' | 'template-changed';

export interface Day2Finding {
  readonly kind: Day2FindingKind;
  /** The stack that fails or goes stale. */
  readonly stack: string;
  readonly resource?: string;
  readonly message: string;
}

const REPLACED_MARK = '#replaced';
const CHANGED_MARK = '#changed';
const RETAIN_POLICIES = new Set(['Retain', 'RetainExceptOnCreate']);
const WRITER_TYPE = 'Custom::CrossRegionExportWriter';
const READER_TYPE = 'Custom::CrossRegionExportReader';

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** [name, argument] of a single-key object such as { Ref: X } or { 'Fn::GetAtt': [...] }. */
const intrinsic = (v: Record<string, Json>): [string, Json] | undefined => {
  const entries = Object.entries(v);
  return entries.length === 1 ? entries[0] : undefined;
};
const stackKey = (s: SynthStack) => `${s.account ?? ''}/${s.region}/${s.stackName}`;

/** Logical IDs an expression references (Ref, Fn::GetAtt, Fn::Sub); pseudo parameters excluded. */
export function referencedIds(expr: Json): Set<string> {
  const ids = new Set<string>();
  const visit = (v: Json): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (!isObject(v)) return;
    const fn = intrinsic(v);
    if (fn) {
      const [k, arg] = fn;
      if (k === 'Ref' && typeof arg === 'string' && !arg.startsWith('AWS::')) ids.add(arg);
      if (k === 'Fn::GetAtt') {
        const target = Array.isArray(arg) ? arg[0] : typeof arg === 'string' ? arg.split('.')[0] : undefined;
        if (typeof target === 'string') ids.add(target);
      }
      if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = (m[1] ?? '').split('.')[0] ?? '';
            if (!name.startsWith('AWS::') && !(isObject(vars) && name in vars)) ids.add(name);
          }
        }
      }
    }
    Object.values(v).forEach(visit);
  };
  visit(expr);
  return ids;
}

/** A value one stack hands to another. */
interface Channel {
  readonly key: string;
  readonly kind: 'export' | 'cross-region' | 'output' | 'ssm-parameter';
  /** For ssm-parameter: the parameter name. */
  readonly parameterName?: string;
  /** What it is called in messages. */
  readonly label: string;
  readonly producer: SynthStack;
  readonly value: Json;
}

/** Where a consumer reads a channel: the resources (or Outputs.<id>) that use it. */
interface Use {
  readonly key: string;
  readonly consumer: SynthStack;
  readonly users: readonly string[];
}

const exportKey = (account: string | undefined, region: string, name: string) => `export|${account ?? ''}|${region}|${name}`;
const ssmKey = (account: string | undefined, region: string, name: string) => `ssm|${account ?? ''}|${region}|${name}`;
const outputKey = (region: string, stackName: string, output: string) => `output|${region}|${stackName}|${output}`;
/** SSM parameter names are path-like and distinctive; readers in any region of the account match by name. */
const parameterKey = (account: string | undefined, name: string) => `param|${account ?? ''}|${name}`;

/** The parameter name as a whole path segment sequence in a string (not a prefix of a longer name). */
const mentionsParameter = (text: string, name: string) => {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    if (!/[A-Za-z0-9_./-]/.test(text.charAt(at + name.length))) return true;
  }
  return false;
};

function producedChannels(s: SynthStack): Map<string, Channel> {
  const out = new Map<string, Channel>();
  for (const [id, o] of Object.entries(s.template.Outputs ?? {})) {
    out.set(outputKey(s.region, s.stackName, id), { key: outputKey(s.region, s.stackName, id), kind: 'output', label: `output ${id} (read with Fn::GetStackOutput)`, producer: s, value: o.Value });
    const name = o.Export?.Name;
    if (typeof name === 'string') {
      const key = exportKey(s.account, s.region, name);
      out.set(key, { key, kind: 'export', label: `export "${name}" (output ${id})`, producer: s, value: o.Value });
    }
  }
  for (const [id, r] of Object.entries(s.template.Resources ?? {})) {
    const name = r.Properties?.Name;
    if (r.Type === 'AWS::SSM::Parameter' && typeof name === 'string') {
      const key = parameterKey(s.account, name);
      out.set(key, { key, kind: 'ssm-parameter', parameterName: name, label: `SSM parameter ${name} (${id})`, producer: s, value: r.Properties?.Value });
    }
    if (r.Type !== WRITER_TYPE) continue;
    const props = r.Properties?.WriterProps;
    if (!isObject(props) || typeof props.region !== 'string' || !isObject(props.exports)) continue;
    for (const [param, value] of Object.entries(props.exports)) {
      const key = ssmKey(s.account, props.region, param);
      out.set(key, { key, kind: 'cross-region', label: `cross-region export ${param} (SSM parameter in ${props.region} written by ${id})`, producer: s, value });
    }
  }
  return out;
}

/**
 * The channels a stack reads: Fn::ImportValue, Fn::GetStackOutput, CDK's
 * ExportsReader attributes, and SSM parameters of `parameterNames` named in
 * any string ({{resolve:ssm:...}}, a custom resource's GetParameter call).
 */
function consumedChannels(s: SynthStack, parameterNames: ReadonlySet<string> = new Set()): Use[] {
  const resources = s.template.Resources ?? {};
  const readers = new Map<string, { region: string; imports: Set<string> }>();
  for (const [id, r] of Object.entries(resources)) {
    const props = r.Properties?.ReaderProps;
    if (r.Type === READER_TYPE && isObject(props) && typeof props.region === 'string' && isObject(props.imports)) {
      readers.set(id, { region: props.region, imports: new Set(Object.keys(props.imports)) });
    }
  }
  const users = new Map<string, Set<string>>();
  const use = (key: string, user: string) => users.set(key, (users.get(key) ?? new Set()).add(user));
  const scan = (user: string, v: Json): void => {
    if (Array.isArray(v)) return v.forEach((x) => scan(user, x));
    if (typeof v === 'string') {
      for (const name of parameterNames) if (mentionsParameter(v, name)) use(parameterKey(s.account, name), user);
      return;
    }
    if (!isObject(v)) return;
    const fn = intrinsic(v);
    if (fn) {
      const [k, arg] = fn;
      if (k === 'Fn::ImportValue' && typeof arg === 'string') use(exportKey(s.account, s.region, arg), user);
      if (k === 'Fn::GetStackOutput' && isObject(arg) && typeof arg.StackName === 'string' && typeof arg.OutputName === 'string') {
        use(outputKey(typeof arg.Region === 'string' ? arg.Region : s.region, arg.StackName, arg.OutputName), user);
      }
      if (k === 'Fn::GetAtt' && Array.isArray(arg) && typeof arg[0] === 'string' && typeof arg[1] === 'string') {
        const reader = readers.get(arg[0]);
        if (reader?.imports.has(arg[1])) use(ssmKey(s.account, reader.region, arg[1]), user);
      }
    }
    Object.values(v).forEach((x) => scan(user, x));
  };
  for (const [id, r] of Object.entries(resources)) scan(id, r);
  for (const [id, o] of Object.entries(s.template.Outputs ?? {})) scan(`Outputs.${id}`, o);
  // The reader itself holds every import (it tags the parameters as in use): named when nothing else reads one.
  for (const [id, reader] of readers) for (const param of reader.imports) if (!users.has(ssmKey(s.account, reader.region, param))) use(ssmKey(s.account, reader.region, param), id);
  return [...users].map(([key, u]) => ({ key, consumer: s, users: [...u].sort() }));
}

/**
 * Rewrites references whose value changes without their text changing: to a
 * resource replaced in place (same logical ID) and to changed channels.
 */
function markChangedReferences(template: CfnTemplate, s: SynthStack, replacedInPlace: ReadonlySet<string>, changed: ReadonlyMap<string, string>): CfnTemplate {
  const readers = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const props = r.Properties?.ReaderProps;
    if (r.Type === READER_TYPE && isObject(props) && typeof props.region === 'string') readers.set(id, props.region);
  }
  const markId = (id: string) => (replacedInPlace.has(id) ? `${id}${REPLACED_MARK}` : id);
  // Parameters this stack writes itself are not read through the parameter.
  const own = new Set(Object.values(template.Resources ?? {}).flatMap((r) => (r.Type === 'AWS::SSM::Parameter' && typeof r.Properties?.Name === 'string' ? [r.Properties.Name] : [])));
  const changedParameters = [...changed.keys()]
    .filter((k) => k.startsWith(parameterKey(s.account, '')))
    .map((k) => k.slice(parameterKey(s.account, '').length))
    .filter((name) => !own.has(name));
  const map = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(map);
    if (typeof v === 'string') return changedParameters.reduce((text, name) => (mentionsParameter(text, name) ? text.split(name).join(`${name}${CHANGED_MARK}`) : text), v);
    if (!isObject(v)) return v;
    const fn = intrinsic(v);
    if (fn) {
      const [k, arg] = fn;
      if (k === 'Ref' && typeof arg === 'string') return { Ref: markId(arg) };
      if (k === 'Fn::GetAtt' && Array.isArray(arg) && typeof arg[0] === 'string') {
        const region = readers.get(arg[0]);
        if (region !== undefined && typeof arg[1] === 'string' && changed.has(ssmKey(s.account, region, arg[1]))) return { 'Fn::GetAtt': [arg[0], `${arg[1]}${CHANGED_MARK}`] };
        return { 'Fn::GetAtt': [markId(arg[0]), ...arg.slice(1).map(map)] };
      }
      if (k === 'Fn::GetAtt' && typeof arg === 'string') {
        const [target = '', ...rest] = arg.split('.');
        return { 'Fn::GetAtt': [markId(target), rest.join('.')] };
      }
      if (k === 'Fn::Sub') {
        const sub = (text: Json) =>
          typeof text === 'string' ? text.replace(/\$\{([^!}][^}]*)\}/g, (all, ref: string) => {
            const [target = '', ...rest] = ref.split('.');
            return replacedInPlace.has(target) ? `\${${[`${target}${REPLACED_MARK}`, ...rest].join('.')}}` : all;
          }) : text;
        return { 'Fn::Sub': Array.isArray(arg) ? [sub(arg[0]), map(arg[1])] : sub(arg) };
      }
      if (k === 'Fn::ImportValue' && typeof arg === 'string' && changed.has(exportKey(s.account, s.region, arg))) return { 'Fn::ImportValue': `${arg}${CHANGED_MARK}` };
      if (k === 'Fn::GetStackOutput' && isObject(arg) && typeof arg.StackName === 'string' && typeof arg.OutputName === 'string') {
        const key = outputKey(typeof arg.Region === 'string' ? arg.Region : s.region, arg.StackName, arg.OutputName);
        if (changed.has(key)) return { 'Fn::GetStackOutput': { ...arg, OutputName: `${arg.OutputName}${CHANGED_MARK}` } };
      }
    }
    return Object.fromEntries(Object.entries(v).map(([key, x]) => [key, map(x)]));
  };
  return { ...template, Resources: map(template.Resources ?? {}) as CfnTemplate['Resources'], Outputs: map(template.Outputs ?? {}) as CfnTemplate['Outputs'] };
}

/** How a resource of the before template goes away. */
interface Replacement {
  readonly how: 'replaced' | 'may be replaced' | 'removed' | 'moved';
  /** For moved: the new logical ID. */
  readonly successor?: string;
}

/** CDK logical IDs end in an 8-hex path hash; instances replaced on user-data change append a 16-hex digest. */
const logicalIdStem = (id: string) => id.replace(/[0-9A-F]{8}(?:[0-9a-f]{16})?$/, '');

/**
 * The top-level properties (and Budget.BudgetName-style nested ones) that fix
 * a resource's physical name: a create-only property named like the resource
 * (BucketName, RoleName, Name, TopicName, GroupName of a SecurityGroup...) or
 * a create-only name property that is its primary identifier.
 */
export function fixedNames(resource: CfnResource | undefined): { property: string; value: Json }[] {
  if (!resource?.Properties) return [];
  const model = loadResourceModel(resource.Type);
  const typeName = resource.Type.split('::').pop() ?? '';
  const found: { property: string; value: Json }[] = [];
  for (const [prop, value] of Object.entries(resource.Properties)) {
    // A value read from another resource (LogGroupName: { Ref } of a subscription filter, an import) names that resource, not this one.
    if (value === undefined || referencedIds(value).size > 0 || /"Fn::(ImportValue|GetStackOutput)"/.test(JSON.stringify(value))) continue;
    const spec = model?.properties[prop];
    const nameLike = prop.endsWith('Name') && (prop === 'Name' || typeName.endsWith(prop.slice(0, -'Name'.length)) || (model?.primaryIdentifier ?? []).includes(prop));
    if (nameLike && (spec?.causesReplacement === 'yes' || !model)) found.push({ property: prop, value });
    // e.g. AWS::Budgets::Budget { Budget: { BudgetName } }
    if (prop === typeName && isObject(value) && value[`${typeName}Name`] !== undefined) found.push({ property: `${prop}.${typeName}Name`, value: value[`${typeName}Name`] });
  }
  return found;
}

/**
 * The service spec marks these EC2 instance properties "maybe": CloudFormation
 * updates them with "some interruption" (stop, update, start: same instance
 * ID) when the root volume is EBS, and replaces only instance-store instances.
 */
const EC2_STOP_START_PROPERTIES = new Set(['UserData', 'InstanceType', 'EbsOptimized']);

/**
 * The service spec marks these AWS::SSM::Document properties "maybe": with
 * `UpdateMethod: NewVersion` CloudFormation creates a new version of the same
 * document (same name) and makes it the default; with `Replace` (the default)
 * it replaces the document. DocumentType and Name always replace.
 */
const SSM_DOCUMENT_VERSIONED_PROPERTIES = new Set(['Content', 'DocumentFormat', 'TargetType', 'Attachments', 'Requires', 'VersionName']);

/** "maybe" replacements that CloudFormation, for this resource as configured, performs in place. */
function updatedInPlace(resource: CfnResource | undefined, updates: [string, { changeImpact?: ResourceImpact }][]): boolean {
  if (resource?.Type === 'AWS::SSM::Document') {
    const replacing = updates.filter(([, u]) => u.changeImpact === ResourceImpact.MAY_REPLACE || u.changeImpact === ResourceImpact.WILL_REPLACE);
    return resource.Properties?.UpdateMethod === 'NewVersion' && replacing.every(([name, u]) => u.changeImpact === ResourceImpact.MAY_REPLACE && SSM_DOCUMENT_VERSIONED_PROPERTIES.has(name));
  }
  return stopStartOnly(resource, updates);
}

function stopStartOnly(resource: CfnResource | undefined, updates: [string, { changeImpact?: ResourceImpact }][]): boolean {
  if (resource?.Type !== 'AWS::EC2::Instance') return false;
  const mappings = resource.Properties?.BlockDeviceMappings;
  const ebsRoot = Array.isArray(mappings) && mappings.some((m) => isObject(m) && isObject(m.Ebs));
  const replacing = updates.filter(([, u]) => u.changeImpact === ResourceImpact.MAY_REPLACE || u.changeImpact === ResourceImpact.WILL_REPLACE);
  return ebsRoot && replacing.every(([name, u]) => u.changeImpact === ResourceImpact.MAY_REPLACE && EC2_STOP_START_PROPERTIES.has(name));
}

interface Analysis {
  readonly before: SynthStack;
  readonly after?: SynthStack;
  readonly replaced: Map<string, Replacement>;
}

const describeValue = (v: Json) => JSON.stringify(v);

/** What a consumer resource is, in words: names the VPC origin, kill switch, rotation functions and alarms. */
export function describeUser(template: CfnTemplate, id: string): string {
  if (id.startsWith('Outputs.')) return `output ${id.slice('Outputs.'.length)}`;
  const r = template.Resources?.[id];
  if (!r) return id;
  const roles: string[] = [];
  if (r.Type === 'AWS::CloudFront::VpcOrigin') roles.push('VPC origin');
  if (/KillSwitch/i.test(id)) roles.push('kill switch');
  const rotates = Object.values(template.Resources ?? {}).some(
    (x) => x.Type === 'AWS::SecretsManager::RotationSchedule' && referencedIds(x.Properties?.RotationLambdaARN).has(id),
  );
  if (r.Type === 'AWS::Lambda::Function' && (rotates || /Rotation/.test(id))) roles.push('rotation function');
  if (r.Type === 'AWS::SecretsManager::RotationSchedule') roles.push('rotation schedule');
  if (r.Type === 'AWS::CloudWatch::Alarm') roles.push('alarm');
  if (r.Type === READER_TYPE) roles.push('cross-region export reader');
  return `${roles.length ? `${roles.join(', ')} ` : ''}${id} (${r.Type})`;
}

/**
 * Checks one change: every stack before vs after. Stacks only in `after` are
 * new (created, nothing to check); stacks only in `before` are deleted.
 */
export function checkDay2Change(before: readonly SynthStack[], after: readonly SynthStack[]): Day2Finding[] {
  const afterByKey = new Map(after.map((s) => [stackKey(s), s]));
  const analyses: Analysis[] = before.map((b) => ({ before: b, after: afterByKey.get(stackKey(b)), replaced: new Map() }));

  const channelsBefore = new Map<string, Channel>();
  for (const b of before) for (const [k, c] of producedChannels(b)) channelsBefore.set(k, c);
  const channelsAfter = new Map<string, Channel>();
  for (const a of after) for (const [k, c] of producedChannels(a)) channelsAfter.set(k, c);
  const parameterNames = new Set([...channelsBefore.values()].flatMap((c) => (c.parameterName ? [c.parameterName] : [])));
  const usesBefore = before.flatMap((b) => consumedChannels(b, parameterNames));
  const analysisOf = new Map(analyses.map((a) => [stackKey(a.before), a]));

  /** channel key -> why its value changes (or that it is removed). */
  const changed = new Map<string, string>();

  for (let round = 0; round < 50; round++) {
    let grew = false;
    for (const a of analyses) {
      if (!a.after) {
        for (const id of Object.keys(a.before.template.Resources ?? {})) {
          if (a.replaced.has(id)) continue;
          a.replaced.set(id, { how: 'removed' });
          grew = true;
        }
        continue;
      }
      const inPlace = new Set([...a.replaced].filter(([id]) => a.after!.template.Resources?.[id]).map(([id]) => id));
      const diff = fullDiff(a.before.template, markChangedReferences(a.after.template, a.after, inPlace, changed));
      const added = diff.resources.logicalIds.filter((id) => diff.resources.get(id).isAddition);
      for (const id of diff.resources.logicalIds) {
        const d = diff.resources.get(id);
        if (a.replaced.has(id) || d.isAddition) continue;
        let r: Replacement | undefined;
        if (d.isRemoval) {
          const type = d.oldResourceType;
          const names = JSON.stringify(fixedNames(d.oldValue).map((n) => n.value));
          const successor = added.find((n) => {
            const nv = diff.resources.get(n).newValue;
            return nv?.Type === type && (logicalIdStem(n) === logicalIdStem(id) || (names !== '[]' && JSON.stringify(fixedNames(nv).map((x) => x.value)) === names));
          });
          r = successor ? { how: 'moved', successor } : { how: 'removed' };
        } else if (d.changeImpact === ResourceImpact.WILL_REPLACE) r = { how: 'replaced' };
        else if (d.changeImpact === ResourceImpact.MAY_REPLACE && !updatedInPlace(d.newValue, Object.entries(d.propertyUpdates))) r = { how: 'may be replaced' };
        if (r) {
          a.replaced.set(id, r);
          grew = true;
        }
      }
    }
    for (const [key, ch] of channelsBefore) {
      if (changed.has(key)) continue;
      const now = channelsAfter.get(key);
      const producer = analysisOf.get(stackKey(ch.producer));
      let why: string | undefined;
      if (!now) why = 'removed';
      else if (!deepEqual(ch.value, now.value)) why = `value changes from ${describeValue(ch.value)} to ${describeValue(now.value)}`;
      else {
        const gone = [...referencedIds(ch.value)].filter((id) => producer?.replaced.has(id));
        if (gone.length) why = `value changes: ${gone.map((id) => `${id} is ${producer!.replaced.get(id)!.how}`).join(', ')}`;
        else {
          const upstream = consumedChannels({ ...ch.producer, template: { Resources: { value: { Type: 'Value', Properties: { v: ch.value } } } } }, parameterNames)
            .map((u) => u.key)
            .filter((k) => changed.has(k));
          if (upstream.length) why = `value changes: it passes on ${upstream.map((k) => channelsBefore.get(k)?.label ?? k).join(', ')}, which changes`;
        }
      }
      if (why) {
        changed.set(key, why);
        grew = true;
      }
    }
    if (!grew) break;
  }

  const findings: Day2Finding[] = [];
  // a. exports in use that change or go away
  for (const use of usesBefore) {
    const ch = channelsBefore.get(use.key);
    const why = changed.get(use.key);
    if (!ch || !why || ch.kind === 'output' || ch.kind === 'ssm-parameter' || stackKey(ch.producer) === stackKey(use.consumer)) continue;
    const users = use.users.map((u) => describeUser(use.consumer.template, u)).join('; ');
    const consequence =
      ch.kind === 'export'
        ? `CloudFormation refuses to ${why === 'removed' ? 'delete' : 'update'} an export another stack imports: deploying ${ch.producer.stackName} fails`
        : why === 'removed'
          ? `the ExportsWriter deletes the parameter although ${use.consumer.stackName} still reads it: ${use.consumer.stackName} cannot resolve it on its next update or rollback`
          : `the ExportsWriter only writes parameters whose name is new and never rewrites a changed value: ${use.consumer.stackName} keeps the old value`;
    findings.push({
      kind: 'export-in-use',
      stack: ch.producer.stackName,
      resource: ch.label,
      message: `${ch.producer.stackName}: ${ch.label} is ${why === 'removed' ? 'removed' : `changed (${why})`} while ${use.consumer.stackName} imports it (${users}); ${consequence}.`,
    });
  }
  // c. consumers whose template does not change although what they read does
  for (const use of usesBefore) {
    const ch = channelsBefore.get(use.key);
    const why = changed.get(use.key);
    if (!ch || !why || stackKey(ch.producer) === stackKey(use.consumer)) continue;
    const consumerAfter = afterByKey.get(stackKey(use.consumer));
    if (!consumerAfter || !deepEqual(use.consumer.template, consumerAfter.template)) continue;
    const users = use.users.map((u) => describeUser(use.consumer.template, u)).join('; ');
    findings.push({
      kind: 'stale-consumer',
      stack: use.consumer.stackName,
      resource: use.users.join(', '),
      message:
        `${use.consumer.stackName} reads ${ch.label} of ${ch.producer.stackName}, which is ${why === 'removed' ? 'removed' : `changed (${why})`}, ` +
        `but its template does not change: the CDK CLI skips it as "no changes" and ${users} keep${use.users.length === 1 ? 's' : ''} the old value.`,
    });
  }
  // b. replacement of named or retained resources
  for (const a of analyses) {
    if (!a.after) continue;
    for (const [id, r] of a.replaced) {
      if (r.how === 'removed') continue;
      const old = a.before.template.Resources?.[id];
      const now = a.after.template.Resources?.[r.successor ?? id];
      const what = r.how === 'moved' ? `is replaced (logical ID ${id} becomes ${r.successor})` : `${r.how === 'replaced' ? 'is replaced' : 'may be replaced'}`;
      // A name that changes with the replacement is free; one that stays is taken by the old resource.
      const kept = fixedNames(old).filter((n) => fixedNames(now).some((m) => m.property === n.property && deepEqual(m.value, n.value)));
      for (const n of kept) {
        findings.push({
          kind: 'replaced-fixed-name',
          stack: a.before.stackName,
          resource: id,
          message: `${a.before.stackName}: ${id} (${old?.Type}) ${what} but has a fixed ${n.property} ${describeValue(n.value)}: CloudFormation creates the replacement first and the name is taken.`,
        });
      }
      const policies = [
        ['DeletionPolicy', old?.DeletionPolicy],
        ['UpdateReplacePolicy', old?.UpdateReplacePolicy ?? now?.UpdateReplacePolicy],
      ].filter(([, p]) => p && RETAIN_POLICIES.has(p));
      if (policies.length) {
        findings.push({
          kind: 'replaced-retained',
          stack: a.before.stackName,
          resource: id,
          message: `${a.before.stackName}: ${id} (${old?.Type}) ${what} but is retained (${policies.map(([k, p]) => `${k} ${p}`).join(', ')}): the old resource and its data are orphaned.`,
        });
      }
    }
  }
  return dedupe(findings);
}

function dedupe(findings: Day2Finding[]): Day2Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const k = `${f.kind}|${f.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A change that must not touch these stacks at all (e.g. another client's): any difference is a finding. */
export function checkUnchanged(before: readonly SynthStack[], after: readonly SynthStack[]): Day2Finding[] {
  const afterByKey = new Map(after.map((s) => [stackKey(s), s]));
  const findings: Day2Finding[] = [];
  for (const b of before) {
    const a = afterByKey.get(stackKey(b));
    if (!a) {
      findings.push({ kind: 'template-changed', stack: b.stackName, message: `${b.stackName} is no longer synthesized.` });
      continue;
    }
    if (deepEqual(b.template, a.template) && JSON.stringify(b.template) === JSON.stringify(a.template)) continue;
    const diff = fullDiff(b.template, a.template);
    const what = [
      ...diff.resources.logicalIds.map((id) => `resource ${id} (${diff.resources.get(id).changeImpact})`),
      ...diff.outputs.logicalIds.map((id) => `output ${id}`),
      ...diff.parameters.logicalIds.map((id) => `parameter ${id}`),
    ];
    findings.push({ kind: 'template-changed', stack: b.stackName, message: `${b.stackName} changes: ${what.length ? what.join(', ') : 'template text (no semantic difference)'}.` });
  }
  return findings;
}

/** Findings one per line, for test failure messages. */
export function formatFindings(findings: readonly Day2Finding[]): string {
  return findings.map((f) => `[${f.kind}] ${f.message}`).join('\n');
}
