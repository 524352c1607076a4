import { spawnSync } from 'child_process';
import { REPO_ROOT } from '../support/config-fixture';

// `npm run cost` as a user runs it: tsx on scripts/cost.ts, in a child process.
const cost = (...args: string[]) =>
  spawnSync('npx', ['tsx', 'scripts/cost.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 240_000, env: { ...process.env, NODE_ENV: 'production' } });

test('prints the assumptions, the report of example/prod with its Total line, then the cost of one more agent', () => {
  const result = cost('--client', 'example', '--env', 'prod');
  expect(result.stderr).not.toMatch(/cost:|Error/);
  expect(result.status).toBe(0);
  const out = result.stdout.trimEnd();
  expect(out).toContain('Usage assumptions (lib/cost/usage-assumptions.ts):');
  expect(out).toContain('Monthly cost estimate: openclaw-example-prod');
  expect(out).toContain('EC2 t4g.medium on-demand');
  expect(out).toContain('EC2 t4g.nano on-demand (NAT instance)');
  const lines = out.split('\n');
  const total = lines.findIndex((l) => /^Total {2}\$\d+\.\d{2} \/ month \(us-east-1 list prices, 2026-11-21\)$/.test(l));
  expect(total).toBeGreaterThan(0);
  // After the Total: the next agent (example has two; the third fits the same t4g.medium) and the instance by agent count.
  expect(lines.slice(total + 1)).toEqual([
    '',
    'Each added isolated agent (its own gateway, user, secrets and alarms): gateway 3 adds +$1.24 / month',
    '  Secrets Manager secrets          +$0.80  ($2.00 -> $2.80)',
    '  Secrets Manager API calls        +$0.04  ($0.11 -> $0.15)',
    '  CloudWatch alarms (standard)     +$0.10  ($3.00 -> $3.10)',
    '  CloudWatch custom metrics        +$0.30  ($2.10 -> $2.40)',
    'Instance by agent count (768 MiB for the host + 1024 MiB MemoryMax per gateway; lib/host/gateway-sizing.ts):',
    '      1 agent   t4g.small    $12.26 / month',
    '    2-3 agents  t4g.medium   $24.53 / month',
    '    4-7 agents  t4g.large    $49.06 / month',
    '   8-15 agents  t4g.xlarge   $98.11 / month',
    '     16 agents  t4g.2xlarge  $196.22 / month',
  ]);
}, 250_000);

test('--region labels the report; the prices stay us-east-1\'s', () => {
  const result = cost('--client', 'example', '--env', 'dev', '--region', 'eu-west-1', '--no-basis');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('the deployment runs in eu-west-1, priced here at us-east-1 list prices');
  expect(result.stdout.split('\n').some((l) => /^Total {2}\$\d+\.\d{2} \/ month \(us-east-1 list prices, 2026-11-21\)$/.test(l))).toBe(true);
}, 250_000);

test('an unknown client exits non-zero, naming the clients there are', () => {
  const result = cost('--client', 'nope', '--env', 'prod');
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('no client "nope"; available: example');
  expect(result.stdout).not.toContain('Total');
}, 250_000);

test('unknown or missing arguments are refused with the usage line', () => {
  const unknown = cost('--client', 'example', '--env', 'prod', '--bogus');
  expect(unknown.status).toBe(2);
  expect(unknown.stderr).toMatch(/cost: Unknown option '--bogus'/);
  expect(unknown.stderr).toContain('usage: npm run cost -- --client <client> --env <env>');
  const missing = cost('--client', 'example');
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('--client and --env are required');
  const positional = cost('--client', 'example', '--env', 'prod', 'extra');
  expect(positional.status).toBe(2);
}, 250_000);
