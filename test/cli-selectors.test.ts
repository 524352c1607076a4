import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { listClients, listEnvironments } from '../lib/config/config-dir';
import { CONFIG_DIR, REPO_ROOT } from './support/config-fixture';

// Every `npx cdk ...` command README.md and the docs pages that show such
// commands (DOC_FILES) show, run through the pinned CDK CLI
// (node_modules/.bin/cdk) the way a new user runs it. The commands are read
// from those files themselves, so they cannot drift from what is proven here.
// Each distinct context (-c ...) is synthesized once by the real `cdk synth`;
// the other commands reuse that cloud assembly with `--app <dir>` (the CLI then
// selects stacks exactly as it would after its own synth). AWS is reached
// only through a loopback port that refuses connections, with fake keys: each
// command must get past stack selection and fail at its first AWS call.

// Each synth of this app takes 15 s to minutes on a loaded machine; the CLI calls a few seconds each.
jest.setTimeout(900_000);

const CDK = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
/** The files whose `npx cdk` commands are proven here: README and the docs pages that show commands. */
const DOC_FILES = ['README.md', 'docs/architecture.md', 'docs/configuration.md', 'docs/deploying.md', 'docs/host.md'];
const DOCS = DOC_FILES.map((f) => fs.readFileSync(path.join(REPO_ROOT, f), 'utf8')).join('\n');
const STACKS = ['Core', 'Network', 'Gateway', 'Edge', 'Spend'];

/** Placeholders README uses, and the example values they take here. */
const EXAMPLE: Record<string, string> = { '<client>': 'example', '<env>': 'dev', '<account>': '123456789012', '<region>': 'eu-west-1' };

/** The distinct `npx cdk ...` commands of DOC_FILES: lines of their code blocks, and inline code spans. */
function readmeCommands(): string[] {
  const found: string[] = [];
  for (const block of DOCS.matchAll(/```(?:bash|sh)\n([\s\S]*?)```/g)) {
    for (const line of block[1]!.split('\n')) {
      const at = line.indexOf('npx cdk ');
      if (at >= 0 && !line.trimStart().startsWith('#')) found.push(line.slice(at).replace(/\s+#.*$/, '').trim());
    }
  }
  const prose = DOCS.replace(/```[\s\S]*?```/g, '');
  for (const span of prose.matchAll(/`(npx cdk [^`]+)`/g)) found.push(span[1]!.replace(/\s+/g, ' ').trim());
  return [...new Set(found)];
}

/** Splits a command line as a POSIX shell would for these commands (single quotes, no expansion). */
const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);

interface Command {
  readonly line: string;
  readonly verb: string;
  readonly selectors: string[];
  /** The -c values, in order. */
  readonly context: string[];
  /** Other options, as written. */
  readonly options: string[];
}

function parse(line: string): Command {
  let text = line;
  for (const [k, v] of Object.entries(EXAMPLE)) text = text.split(k).join(v);
  const [, , verb, ...rest] = words(text);
  const selectors: string[] = [];
  const context: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-c') context.push(rest[++i]!);
    else if (rest[i]!.startsWith('-')) options.push(rest[i]!);
    else selectors.push(rest[i]!);
  }
  return { line, verb: verb!, selectors, context, options };
}

const COMMANDS = readmeCommands().map(parse);

let port = 0;
let tmp = '';
/** Context key -> cloud assembly folder written by the real `cdk synth`. */
const assemblies = new Map<string, string>();
/** A client a README walk-through creates (`cp -r config/clients/example config/clients/acme`): made in a copy of config/. */
let configCopy = '';

const contextOf = (c: Command) => {
  const ctx = [...c.context];
  const client = ctx.find((x) => x.startsWith('client='))?.slice('client='.length);
  if (client && client !== 'all' && !listClients(CONFIG_DIR).includes(client)) ctx.push(`configDir=${path.join(configCopy, 'config')}`);
  return ctx;
};
const ctxArgs = (ctx: string[]) => ctx.flatMap((x) => ['-c', x]);

function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('AWS_')) delete e[k];
  return {
    ...e,
    AWS_ACCESS_KEY_ID: 'test-access-key-id',
    AWS_SECRET_ACCESS_KEY: 'test-secret-access-key',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_MAX_ATTEMPTS: '1',
    AWS_CONFIG_FILE: path.join(tmp, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'no-aws-credentials'),
  };
}

const cdk = (args: string[], timeout = 120_000) => {
  const r = spawnSync(CDK, args, { cwd: REPO_ROOT, encoding: 'utf8', timeout, env: env() });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, timedOut: r.error !== undefined };
};

/** The client x environment stages a context builds, as bin/app.ts selects them. */
function stagesFor(ctx: string[]): string[] {
  const get = (k: string) => ctx.find((x) => x.startsWith(`${k}=`))?.slice(k.length + 1);
  const client = get('client') ?? 'example';
  const envSel = get('env') ?? (client === 'all' ? 'all' : 'dev');
  const clients = client === 'all' ? listClients(CONFIG_DIR) : [client];
  const envs = envSel === 'all' ? listEnvironments(CONFIG_DIR) : [envSel];
  return clients.flatMap((c) => envs.map((e) => `${c}-${e}`));
}

/** The assembly for a command's context, synthesized once by the real CLI. */
function assemblyFor(c: Command): string {
  const ctx = contextOf(c);
  const key = ctx.join(' ');
  const known = assemblies.get(key);
  if (known) return known;
  const out = fs.mkdtempSync(path.join(tmp, 'assembly-'));
  const r = cdk(['synth', '--quiet', '-o', out, ...ctxArgs(ctx)], 600_000);
  expect({ key, status: r.status, out: r.status === 0 ? '' : r.out }).toEqual({ key, status: 0, out: '' });
  // A quiet synth: every feature flag configured (cdk.json), no CDK warning.
  expect(r.out).not.toMatch(/feature flags are not configured|WARNING/);
  for (const stage of stagesFor(ctx)) expect(r.out).toContain(`Gate passed for ${stage.replace(/-(?=[^-]+$)/, '/')}: 0 unacknowledged findings`);
  assemblies.set(key, out);
  return out;
}

/** `cdk ls <selectors> --show-dependencies`: the stacks selected, in order, with their dependencies. */
function listSelected(dir: string, selectors: string[]) {
  const r = cdk(['ls', ...selectors, '--app', dir, '--show-dependencies']);
  expect(r.status).toBe(0);
  const stacks: { id: string; deps: string[] }[] = [];
  for (const line of r.out.split('\n')) {
    const top = /^- id: (\S+)/.exec(line);
    if (top) stacks.push({ id: top[1]!, deps: [] });
    const dep = /^ {4}- id: (\S+)/.exec(line);
    if (dep && stacks.length > 0) stacks[stacks.length - 1]!.deps.push(dep[1]!);
  }
  return stacks;
}

const expectedStacks = (ctx: string[]) => stagesFor(ctx).flatMap((s) => STACKS.map((n) => `${s}/${n}`));

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cli-selectors-'));
  configCopy = path.join(tmp, 'walkthrough');
  fs.cpSync(CONFIG_DIR, path.join(configCopy, 'config'), { recursive: true });
  for (const c of COMMANDS) {
    const client = c.context.find((x) => x.startsWith('client='))?.slice('client='.length);
    if (client && client !== 'all' && !listClients(CONFIG_DIR).includes(client)) {
      fs.cpSync(path.join(CONFIG_DIR, 'clients', 'example'), path.join(configCopy, 'config', 'clients', client), { recursive: true });
    }
  }
  // A loopback port with nothing listening: every AWS call is refused.
  port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('README shows the commands this suite proves: synth, bootstrap, ls, diff, deploy and destroy, for one client x env and for all', () => {
  expect(new Set(COMMANDS.map((c) => c.verb))).toEqual(new Set(['synth', 'bootstrap', 'ls', 'diff', 'deploy', 'destroy']));
  expect(COMMANDS.some((c) => c.verb === 'deploy' && c.context.includes('client=all'))).toBe(true);
  expect(COMMANDS.some((c) => c.verb === 'deploy' && c.context.includes('client=example') && c.context.includes('env=dev'))).toBe(true);
  // --all selects only top-level stacks; every stack of this app lives in a stage.
  expect(COMMANDS.filter((c) => c.options.includes('--all')).map((c) => c.line)).toEqual([]);
});

test.each(COMMANDS.filter((c) => c.verb === 'synth').map((c) => [c.line, c] as const))('%s: synthesizes with the gate passing', (_line, c) => {
  const dir = assemblyFor(c);
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('assembly-')).sort()).toEqual(stagesFor(contextOf(c)).map((s) => `assembly-${s}`).sort());
});

const stackCommands = COMMANDS.filter((c) => ['ls', 'diff', 'deploy', 'destroy'].includes(c.verb));

test.each(stackCommands.map((c) => [c.line, c] as const))('%s: selects every stack of the chosen stages, in the order CloudFormation needs', (_line, c) => {
  const dir = assemblyFor(c);
  const selected = listSelected(dir, c.selectors);
  const expected = expectedStacks(contextOf(c));
  expect(selected.map((s) => s.id).sort()).toEqual([...expected].sort());
  for (const stage of stagesFor(contextOf(c))) {
    const deps = (n: string) => selected.find((s) => s.id === `${stage}/${n}`)!.deps.sort();
    expect(deps('Core')).toEqual([]);
    expect(deps('Network')).toEqual([`${stage}/Core`]);
    expect(deps('Gateway')).toEqual([`${stage}/Core`, `${stage}/Network`]);
    expect(deps('Edge')).toEqual([`${stage}/Gateway`]);
    // Spend reads the edge stack's distribution and audit buckets (the daily drift check's role).
    expect(deps('Spend')).toEqual([`${stage}/Core`, `${stage}/Edge`, `${stage}/Gateway`]);
    // Listed (and deployed) dependencies first.
    const order = selected.map((s) => s.id).filter((id) => id.startsWith(`${stage}/`));
    expect(order).toEqual(STACKS.map((n) => `${stage}/${n}`));
  }
});

test.each(stackCommands.filter((c) => c.verb !== 'ls').map((c) => [c.line, c] as const))(
  '%s: the real command gets past stack selection and fails only at the AWS call',
  (_line, c) => {
    const dir = assemblyFor(c);
    const extra = c.verb === 'destroy' ? ['--force'] : [];
    const r = cdk([c.verb, ...c.selectors, ...extra, '--app', dir, '-v', ...ctxArgs(contextOf(c))]);
    expect(r.timedOut).toBe(false);
    expect(r.out).not.toContain('No stack found');
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(r.out).toContain('no credentials have been configured');
    const first = stagesFor(contextOf(c))[0]!;
    if (c.verb === 'destroy') {
      // Destroy runs in reverse: a stack nothing depends on goes first.
      expect(r.out).toMatch(new RegExp(`${first}/(Edge|Spend) \\(openclaw-${first}-(edge|spend)\\): destroying\\.\\.\\. \\[1/5\\]`));
    } else if (c.verb === 'deploy') {
      // Deploy reaches AWS for the stacks in dependency order, Core first.
      const order = [...r.out.matchAll(new RegExp(`openclaw-${first}-(core|network|gateway|edge|spend): debug`, 'g'))].map((m) => m[1]);
      expect(order[0]).toBe('core');
    }
  },
);

test.each(COMMANDS.filter((c) => c.verb === 'bootstrap').map((c) => [c.line, c] as const))(
  '%s: bootstraps the main region and us-east-1, failing only at the AWS call',
  (_line, c) => {
    expect(c.selectors).toEqual(['aws://123456789012/eu-west-1', 'aws://123456789012/us-east-1']);
    // With explicit environments bootstrap selects no stacks; --app keeps it from synthesizing.
    const dir = assemblyFor(COMMANDS.find((x) => x.verb === 'synth' && x.context.join() === 'client=example,env=dev')!);
    const r = cdk(['bootstrap', ...c.selectors, '--app', dir]);
    expect(r.status).not.toBe(0);
    for (const e of c.selectors) {
      expect(r.out).toContain(`Bootstrapping environment ${e}...`);
      expect(r.out).toContain(`Environment ${e} failed bootstrapping: NoCredentials`);
    }
  },
);

test('the old README command, cdk deploy --all, selects nothing (why README uses stage patterns)', () => {
  const dir = assemblyFor(COMMANDS.find((x) => x.verb === 'synth' && x.context.join() === 'client=example,env=dev')!);
  const r = cdk(['deploy', '--all', '--app', dir]);
  expect(r.status).not.toBe(0);
  expect(r.out).toContain('No stack found in the main cloud assembly');
});
