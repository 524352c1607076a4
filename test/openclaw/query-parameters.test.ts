/**
 * The query-string parameters the pinned OpenClaw reads, each classified: refused by nginx (a
 * credential or capability in a URL), passed (a capability the Control UI itself puts in URLs a
 * browser fetches without headers), or not a credential. The list is read from the installed
 * package's own code (`searchParams.get/has/getAll("<name>")`), so an OpenClaw update that reads
 * a new parameter fails here until someone classifies it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { QUERY_CAPABILITY_PARAMS_PASSED, QUERY_CREDENTIAL_PARAMS, queryCredentialPattern } from '../../lib/host/nginx-config';
import { requireOpenclaw } from './support/openclaw';

/** Read by OpenClaw and refused by nginx: each is in QUERY_CREDENTIAL_PARAMS. */
const REFUSED = {
  token: 'gateway token, public share links, observer and screencast tokens: bearer credentials',
  code: 'OAuth authorization codes (callbacks at /oauth/... at the root: never routed by nginx anyway)',
  ticket: 'node stream attach tickets',
  sig: 'signatures of signed channel URLs',
  key: 'API keys (a provider plugin sets it on its own outbound URLs)',
  client_secret: 'OAuth client secrets (OpenClaw redacts it from its own logs)',
  bt: 'board widget view tickets (served at /__openclaw__/board/ at the root: never routed by nginx anyway)',
} as const;

/** Read by OpenClaw and passed by nginx, never logged: QUERY_CAPABILITY_PARAMS_PASSED. */
const PASSED = {
  mediaTicket: 'the Control UI image URLs: a signed, expiring, session-bound ticket; <img> sends no headers',
} as const;

/** Read by OpenClaw and not a credential. */
const NOT_CREDENTIALS = {
  state: 'OAuth CSRF state: useless without the code, which is refused',
  v: 'a version or cache-busting number',
  profile: 'a profile name',
  error: 'an OAuth error code',
  error_description: 'an OAuth error text',
  playback: 'a media playback mode',
  offset: 'paging',
  limit: 'paging',
  cursor: 'paging',
  meta: 'a flag: metadata of a media file',
  allow: 'a flag: the media meta request allows the source',
  agentId: 'an agent id from the config',
  accountId: 'a channel account id from the config',
  sessionKey: 'a session name (agent:<id>:<name>): reading it needs the gateway token',
  source: 'a media source path, checked against the ticket',
  tool: 'tool names of a plugin icon request',
  ip: 'the address a geolocation lookup is for',
  csp: 'the Content-Security-Policy of a sandboxed canvas host',
  openclaw_mount_recovery: 'a flag of the Control UI page',
  'openclaw-config-read': 'a flag on an ES module URL (import.meta.url), not an HTTP request',
} as const;

const READ = /searchParams\.(?:get|has|getAll)\("([^"]+)"\)/g;

function parametersRead(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(m?js|html)$/.test(e.name)) for (const m of fs.readFileSync(p, 'utf8').matchAll(READ)) names.add(m[1]!);
    }
  };
  walk(dir);
  return names;
}

let read: Set<string>;
beforeAll(() => {
  read = parametersRead(path.join(requireOpenclaw().dir, 'node_modules', 'openclaw', 'dist'));
}, 120_000);

const pattern = new RegExp(queryCredentialPattern(), 'i');
const refused = (query: string) => pattern.test(query);

test('every query parameter the pinned OpenClaw reads is classified, and nothing else is listed', () => {
  expect([...read].sort()).toEqual([...Object.keys(REFUSED), ...Object.keys(PASSED), ...Object.keys(NOT_CREDENTIALS)].sort());
});

test('each credential OpenClaw reads is refused by nginx, first or later in the query, any case', () => {
  for (const name of Object.keys(REFUSED)) {
    expect(QUERY_CREDENTIAL_PARAMS).toContain(name);
    expect([refused(`${name}=x`), refused(`a=1&${name}=x`), refused(`a=1&${name.toUpperCase()}=x`)]).toEqual([true, true, true]);
  }
});

test('the capabilities the Control UI needs pass, and so do the parameters that are no credential', () => {
  expect(QUERY_CAPABILITY_PARAMS_PASSED).toEqual(Object.keys(PASSED));
  for (const name of [...Object.keys(PASSED), ...Object.keys(NOT_CREDENTIALS)]) expect([name, refused(`a=1&${name}=x`)]).toEqual([name, false]);
});
