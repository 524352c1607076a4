/**
 * Reads and checks the secrets manifest (lib/secrets/secrets-manifest.ts
 * renders it; the bundle installs it root 0644). A manifest that does not
 * have the expected shape is a ManifestInvalid failure (exit 2) naming the
 * first bad field: the program never guesses.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ManifestSecret, SecretsManifest } from '../../lib/secrets/secrets-manifest';
import { SecretsFailure } from './failure';

const ID = /^[a-z0-9-]{1,200}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SECRET_ID = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const NAMESPACE = /^[^:\s][^:]{0,254}$/;
const METRIC = /^[A-Za-z0-9_.-]{1,255}$/;
const POINTER = /^(\/([^~/]|~[01])*)+$/;
/** A Linux user name (useradd's default rule). */
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
/** A systemd service unit name: the gateway's openclaw-gateway@<id>.service. */
const UNIT = /^[A-Za-z0-9:_.\\@-]{1,240}\.service$/;

type Json = Record<string, unknown>;

function invalid(file: string, where: string, what: string): SecretsFailure {
  return new SecretsFailure('ManifestInvalid', file, `${where}: ${what}; the manifest is rendered by lib/secrets/secrets-manifest.ts and installed by the bundle: reinstall it`);
}

/** Reads `file` and returns the manifest, or throws a ManifestInvalid SecretsFailure. */
export function loadManifest(file: string): SecretsManifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw invalid(file, 'file', `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid(file, 'document', 'not valid JSON');
  }
  return checkManifest(doc, file);
}

/** Checks the shape of a parsed manifest; `file` names it in the failure. */
export function checkManifest(doc: unknown, file: string): SecretsManifest {
  const fail = (where: string, what: string) => invalid(file, where, what);
  const obj = (v: unknown, where: string): Json => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fail(where, 'expected an object');
    return v as Json;
  };
  const str = (o: Json, key: string, where: string, re: RegExp): string => {
    const v = o[key];
    if (typeof v !== 'string' || !re.test(v)) throw fail(`${where}${key}`, `expected a string matching ${re}`);
    return v;
  };
  const root = obj(doc, 'document');
  const secrets = root.secrets;
  if (!Array.isArray(secrets) || secrets.length === 0) throw fail('secrets', 'expected a non-empty array');
  const manifest: SecretsManifest = {
    deployment: str(root, 'deployment', '', ID),
    region: str(root, 'region', '', REGION),
    metricNamespace: str(root, 'metricNamespace', '', NAMESPACE),
    metricName: str(root, 'metricName', '', METRIC),
    secrets: secrets.map((s, i) => checkSecret(obj(s, `secrets[${i}]`), `secrets[${i}].`, str, fail)),
  };
  const seen = new Set<string>();
  for (const [i, s] of manifest.secrets.entries()) {
    if (seen.has(s.id)) throw fail(`secrets[${i}].id`, `duplicate id "${s.id}"`);
    seen.add(s.id);
    if (manifest.secrets.findIndex((o) => o.file === s.file) !== i) throw fail(`secrets[${i}].file`, `${s.file} is also the file of another secret`);
  }
  // One folder, one owner: a gateway's folder holds only its user's files (the writer hands the folder to that user).
  const owners = new Map<string, { user: string; file: string }>();
  for (const [i, s] of manifest.secrets.entries()) {
    if (s.kind === 'origin-verify') continue;
    const first = owners.get(path.dirname(s.file));
    if (!first) owners.set(path.dirname(s.file), { user: s.user, file: s.file });
    else if (first.user !== s.user) {
      throw fail(`secrets[${i}].user`, `"${s.user}" owns ${s.file}, but "${first.user}" owns ${first.file} in the same folder; each gateway's folder belongs to one user`);
    }
  }
  // The origin-verify map is nginx's (the running user's, 0600): never in a gateway's folder, whose user could replace it there.
  for (const [i, s] of manifest.secrets.entries()) {
    if (s.kind !== 'origin-verify') continue;
    const gateway = owners.get(path.dirname(s.file));
    if (gateway) throw fail(`secrets[${i}].file`, `${s.file} is in the folder of "${gateway.user}" (${gateway.file}); the origin-verify map must not be in a gateway's folder`);
  }
  return manifest;
}

function checkSecret(
  o: Json,
  where: string,
  str: (o: Json, key: string, where: string, re: RegExp) => string,
  fail: (where: string, what: string) => SecretsFailure,
): ManifestSecret {
  const common = {
    id: str(o, 'id', where, ID),
    secretId: str(o, 'secretId', where, SECRET_ID),
    region: str(o, 'region', where, REGION),
    file: str(o, 'file', where, /^\/[^\0]*[^/]$/),
  };
  if (path.normalize(common.file) !== common.file) throw fail(`${where}file`, 'expected a normalized absolute path');
  const owned = () => ({ user: str(o, 'user', where, USER), unit: str(o, 'unit', where, UNIT) });
  switch (o.kind) {
    case 'text':
      return { kind: 'text', ...common, ...owned() };
    case 'origin-verify':
      return { kind: 'origin-verify', ...common };
    case 'json': {
      const owner = owned();
      const pointers = o.requiredPointers;
      if (!Array.isArray(pointers) || !pointers.every((p): p is string => typeof p === 'string' && POINTER.test(p))) {
        throw fail(`${where}requiredPointers`, 'expected an array of JSON pointers (RFC 6901), like "/anthropic/apiKey"');
      }
      return { kind: 'json', ...common, ...owner, requiredPointers: pointers, fillCommand: str(o, 'fillCommand', where, /^[^\n]{1,500}$/) };
    }
    default:
      throw fail(`${where}kind`, 'expected "text", "json" or "origin-verify"');
  }
}

/** The secrets `--only` selects, in manifest order; throws a Usage failure naming an unknown id. */
export function selectSecrets(manifest: SecretsManifest, only: readonly string[] | undefined): readonly ManifestSecret[] {
  if (!only) return manifest.secrets;
  const unknown = only.filter((id) => !manifest.secrets.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new SecretsFailure('Usage', '--only', `no secret ${unknown.map((u) => `"${u}"`).join(', ')} in the manifest (ids: ${manifest.secrets.map((s) => s.id).join(', ')})`);
  }
  return manifest.secrets.filter((s) => only.includes(s.id));
}
