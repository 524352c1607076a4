import * as fs from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { listClients, listEnvironments } from './config-dir';
import { scanLayerForCredentials } from './credential-scan';
import { LOCK_MODE_DERIVATION } from '../audit/audit-config';
import { ConfigError, type ConfigProblem } from './errors';
import { checkExceptions } from './exceptions';
import { allowedKeysAt } from './json-schema';
import { formatPath } from './key-path';
import { mergeLayers, originOf, type MergedConfig } from './merge';
import { checkNameLimits, type NamePartSource } from './name-limits';
import { gatewayMembers } from '../openclaw/gateways';
import { configSchema, NAME_PATTERN, resolveConfig, type ResolvedConfig } from './schema';
import { validateConfigFolder, validateDeployment } from './validators';
import { readLayer, type ConfigLayer } from './yaml-source';

/** Which config loadConfig loads, from where, and as of when. */
export interface LoadConfigOptions {
  /** The config folder (holding base.yaml, environments/ and clients/). */
  readonly configDir: string;
  /** The client: its folder under clients/. */
  readonly client: string;
  /** The environment: its file under environments/. */
  readonly env: string;
  /** "Today", for exception expiry. */
  readonly now: Date;
  /** Folder that file names in messages are relative to. @default process.cwd() */
  readonly displayBase?: string;
}

/** A loaded config: the validated result and the merge it came from. */
export interface LoadedConfig {
  /** The validated config, resolved (client, env and derived keys added). */
  readonly config: ResolvedConfig;
  /** The merged layers, with the file and line of every key (for messages). */
  readonly merged: MergedConfig;
  /** The overlay files applied, in order. */
  readonly files: readonly string[];
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (typeof input === 'string') return `"${input.length > 60 ? `${input.slice(0, 57)}...` : input}"`;
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return `${typeof input} ${String(input)}`;
}

const ZOD_TYPE_WORDS: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list', string: 'a string' };

/**
 * Turns zod's generic "Invalid input: expected object, received array" into "a mapping"
 * (and "Invalid input: expected 5" into "5"); any other message is the schema's own words, kept whole.
 */
export function plainExpectation(message: string): string {
  const generic = /^Invalid input: expected (\w+)(, received \w+)?$/.exec(message);
  if (!generic) return message;
  return ZOD_TYPE_WORDS[generic[1]!] ?? generic[1]!;
}

/** The value at `path` inside `root`; undefined once the path leaves the mappings and lists. */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, seg) => (node !== null && typeof node === 'object' ? (node as Record<string | number, unknown>)[seg] : undefined), root);
}

/** Keys of the resolved config that the loader derives: refused in YAML, with where their value comes from. */
export const DERIVED_KEYS: Readonly<Record<string, string>> = { 'audit.lockMode': LOCK_MODE_DERIVATION };

function schemaProblems(issues: readonly z.core.$ZodIssue[], merged: MergedConfig, files: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    // The input is parsed YAML: its mappings have string keys and its lists number indices, so zod's path holds no symbols.
    const issuePath = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...issuePath, key];
        const derived = DERIVED_KEYS[formatPath(keyPath)];
        problems.push({
          ...originOf(merged, keyPath),
          path: formatPath(keyPath),
          // Only strict objects report unknown keys, and each lists its keys in the JSON Schema (a load test walks the schema to check it).
          message: derived
            ? `"${key}" cannot be set: it is ${derived}; remove it`
            : `unknown key "${key}"; expected one of: ${allowedKeysAt(issuePath).join(', ')}`,
        });
      }
      continue;
    }
    // Cross-field refinements report the whole object as input: show the value at the path instead.
    const input = issue.code === 'custom' ? valueAt(merged.value, issuePath) : (issue as { input?: unknown }).input;
    // A bad record key: the schema's own message is in the nested issues (zod reports invalid_key only with at least one).
    const nested = issue.code === 'invalid_key' ? issue.issues[0]!.message : undefined;
    const expected = nested ?? plainExpectation(issue.message);
    const missing = input === undefined && issue.code === 'invalid_type';
    problems.push({
      ...(missing ? undefined : originOf(merged, issuePath)),
      path: formatPath(issuePath),
      message: missing
        ? `required but not set in any of: ${files.join(', ')}; expected ${expected}`
        : `found ${describeInput(input)}; expected ${expected}`,
    });
  }
  return problems;
}

/**
 * Loads, merges and validates the config of one client in one environment:
 * base.yaml < environments/<env>.yaml < clients/<client>/client.yaml <
 * clients/<client>/<env>.yaml. Throws ConfigError naming file, key path, what
 * was found and what was expected.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const { configDir, client, env, now } = options;
  const display = (abs: string) => path.relative(options.displayBase ?? process.cwd(), abs) || abs;

  for (const [what, value] of [['client', client], ['env', env]] as const) {
    if (!NAME_PATTERN.test(value)) {
      throw new ConfigError([{ message: `${what} "${value}": expected lowercase letters, digits and hyphens ([a-z0-9-]+)` }]);
    }
  }
  const envFile = path.join(configDir, 'environments', `${env}.yaml`);
  if (!fs.existsSync(envFile)) {
    throw new ConfigError([
      { file: display(envFile), message: `no environment "${env}"; available: ${listEnvironments(configDir).join(', ') || 'none'}` },
    ]);
  }
  const clientFile = path.join(configDir, 'clients', client, 'client.yaml');
  if (!fs.existsSync(clientFile)) {
    throw new ConfigError([
      { file: display(clientFile), message: `no client "${client}"; available: ${listClients(configDir).join(', ') || 'none'}` },
    ]);
  }
  const candidates = [
    path.join(configDir, 'base.yaml'),
    envFile,
    clientFile,
    path.join(configDir, 'clients', client, `${env}.yaml`),
  ];
  const layers: ConfigLayer[] = candidates
    .filter((f, i) => i !== 3 || fs.existsSync(f))
    .map((f) => readLayer(f, display(f)));
  const files = layers.map((l) => l.file);

  const leaks = layers.flatMap(scanLayerForCredentials);
  if (leaks.length > 0) throw new ConfigError(leaks);

  const merged = mergeLayers(layers);
  const parsed = configSchema.safeParse(merged.value, { reportInput: true });
  if (!parsed.success) throw new ConfigError(schemaProblems(parsed.error.issues, merged, files));

  const exceptionProblems = checkExceptions({ ...parsed.data, env }, merged, now, files);
  if (exceptionProblems.length > 0) throw new ConfigError(exceptionProblems);

  const agentIds = Object.keys(parsed.data.openclaw.agents ?? {});
  const groups = parsed.data.openclaw.sharedGateways ?? {};
  const sources: NamePartSource[] = [
    { part: 'prefix', value: parsed.data.project.prefix, ...originOf(merged, ['project', 'prefix']), path: 'project.prefix' },
    { part: 'client', value: client, file: display(path.dirname(clientFile)), path: `client name (the folder clients/${client})` },
    { part: 'env', value: env, file: display(envFile), path: `environment name (the file environments/${env}.yaml)` },
    ...agentIds.map((id): NamePartSource => ({ part: 'agent', value: id, ...originOf(merged, ['openclaw', 'agents', id]), path: `openclaw.agents.${id}` })),
    ...Object.keys(groups).map((g): NamePartSource => ({ part: 'gateway', value: g, ...originOf(merged, ['openclaw', 'sharedGateways', g]), path: `openclaw.sharedGateways.${g}` })),
  ];
  const gatewayIds = gatewayMembers(agentIds, groups).map((g) => g.id);
  const nameProblems = checkNameLimits(
    { prefix: parsed.data.project.prefix, client, env, account: parsed.data.aws.account, agentIds, gatewayIds },
    parsed.data.aws.region,
    sources,
  );
  if (nameProblems.length > 0) throw new ConfigError(nameProblems);

  return { config: resolveConfig(parsed.data, client, env), merged, files };
}

/** The folder's other client x environment configs that load; one that does not is reported when it is selected. */
function otherDeployments(options: LoadConfigOptions): LoadedConfig[] {
  const envs = listEnvironments(options.configDir);
  return listClients(options.configDir).flatMap((client) =>
    envs.flatMap((env) => {
      if (client === options.client && env === options.env) return [];
      try {
        return [loadConfig({ ...options, client, env })];
      } catch (e) {
        if (e instanceof ConfigError) return [];
        throw e;
      }
    }),
  );
}

/** loadDeploymentConfig's options: loadConfig's, and the command line's data destruction confirmations. */
export interface LoadDeploymentOptions extends LoadConfigOptions {
  /** `<client>-<env>` names confirmed with `-c confirmDataDestruction` on the command line. @default [] (none) */
  readonly confirmedDestruction?: readonly string[];
}

/**
 * The config of one deployment as synth uses it: the folder-wide checks
 * (lib/config/validators), loadConfig, then every cross-field validator of the
 * deployment. Throws the first step's ConfigError.
 */
export function loadDeploymentConfig(options: LoadDeploymentOptions): LoadedConfig {
  validateConfigFolder(options.configDir);
  const loaded = loadConfig(options);
  validateDeployment(loaded, {
    configDir: options.configDir,
    confirmedDestruction: options.confirmedDestruction ?? [],
    otherDeployments: otherDeployments(options),
  });
  return loaded;
}
