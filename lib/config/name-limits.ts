/**
 * The config check of physical names: a name measured against one rule of
 * lib/config/name-rules.ts (its length as AWS counts it, its characters), and
 * checkNameLimits, which refuses a prefix, client, environment or agent id
 * whose derived names AWS would reject, blaming the part that causes it.
 */
import { NAME_RULES, type NameParts, type NameRule } from './name-rules';

/** The length AWS counts for `name` under `rule`. */
export function measuredLength(rule: NameRule, name: string, region: string, account: string): number {
  return rule.measure ? rule.measure(name, region, account) : name.length;
}

/** What is wrong with `name` under `rule` (undefined when AWS accepts it). */
export function nameViolation(rule: NameRule, name: string, region: string, account: string): string | undefined {
  const length = measuredLength(rule, name, region, account);
  if (length > rule.maxLength) return `${length} characters; expected at most ${rule.maxLength}`;
  if (length < rule.minLength) return `${length} characters; expected at least ${rule.minLength}`;
  if (!rule.pattern.test(name)) return `expected ${rule.patternText}`;
  return undefined;
}

/** A name part and where it was set, for messages. */
export interface NamePartSource {
  /** Which part it is (an agent id for `agent`, a shared group's name for `gateway`). */
  readonly part: 'prefix' | 'client' | 'env' | 'agent' | 'gateway';
  /** Its value. */
  readonly value: string;
  /**
   * The config file that sets it.
   * @default none: set by a folder or file name, or a default
   */
  readonly file?: string;
  /**
   * The line of `file` that sets it.
   * @default none: not known
   */
  readonly line?: number;
  /** The key (or folder / file name) that sets it. */
  readonly path: string;
}

/** One refusal of checkNameLimits, where the part that causes it is set. */
export interface NameLimitProblem {
  /**
   * The config file of the blamed part.
   * @default none: the part is not set in a file
   */
  readonly file?: string;
  /**
   * Its line in `file`.
   * @default none: not known
   */
  readonly line?: number;
  /** The key (or folder / file name) that sets the blamed part. */
  readonly path: string;
  /** What is wrong and what to change. */
  readonly message: string;
}

/** The first name of the rule that AWS would reject, longest first (undefined when all fit). */
function firstViolation(rule: NameRule, p: NameParts, region: string): string | undefined {
  const names = rule.derived(p);
  const byLength = [...names].sort((a, b) => measuredLength(rule, b, region, p.account) - measuredLength(rule, a, region, p.account));
  return byLength.find((n) => nameViolation(rule, n, region, p.account) !== undefined);
}

/**
 * The parts with one replaced by a one-letter name. An agent id: only that id,
 * and the gateway it names when it runs alone; a group name: only that gateway id.
 */
function withoutPart(p: NameParts, s: NamePartSource): NameParts {
  const oneLetter = 'a';
  const swap = (ids: readonly string[]) => ids.map((id) => (id === s.value ? oneLetter : id));
  if (s.part === 'agent') return { ...p, agentIds: swap(p.agentIds), gatewayIds: swap(p.gatewayIds) };
  if (s.part === 'gateway') return { ...p, gatewayIds: swap(p.gatewayIds) };
  return { ...p, [s.part]: oneLetter };
}

/**
 * The part that causes `bad`: the longest one in it whose replacement by a
 * one-letter name makes the rule hold (else the longest in the name, else the first).
 */
function blamedPart(rule: NameRule, parts: NameParts, region: string, sources: readonly NamePartSource[], bad: string): NamePartSource {
  const inName = sources.filter((s) => s.value && bad.includes(s.value)).sort((a, b) => b.value.length - a.value.length);
  return inName.find((s) => firstViolation(rule, withoutPart(parts, s), region) === undefined) ?? inName[0] ?? sources[0]!;
}

/** The refusal: the part, the name it gives, what is wrong with it, AWS's rule, and what to change. */
function problemMessage(rule: NameRule, blamed: NamePartSource, bad: string, violation: string): string {
  return (
    `found ${blamed.part} "${blamed.value}", which gives the ${rule.what} "${bad}": ` +
    `${violation} (AWS's rule: ${rule.minLength}-${rule.maxLength} characters, ${rule.patternText}); ` +
    `shorten or change ${blamed.part === 'prefix' ? 'project.prefix' : blamed.part === 'gateway' ? 'the shared gateway group name' : `the ${blamed.part} name`}`
  );
}

/**
 * Refuses parts whose derived names AWS would reject: for every rule, the
 * longest derived name must fit and every derived name must match the
 * pattern. The problem names the part that contributes most (the longest),
 * the derived name, its length and the limit.
 */
export function checkNameLimits(parts: NameParts, region: string, sources: readonly NamePartSource[]): NameLimitProblem[] {
  const problems: NameLimitProblem[] = [];
  for (const rule of NAME_RULES) {
    const bad = firstViolation(rule, parts, region);
    if (!bad) continue;
    const blamed = blamedPart(rule, parts, region, sources, bad);
    problems.push({
      file: blamed.file,
      line: blamed.line,
      path: blamed.path,
      message: problemMessage(rule, blamed, bad, nameViolation(rule, bad, region, parts.account)!),
    });
  }
  return problems;
}
