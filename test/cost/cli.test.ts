import { spawnSync } from 'child_process';
import { REPO_ROOT } from '../support/config-fixture';

// `npm run cost` as a user runs it: tsx on scripts/cost.ts, in a child process.
const cost = (...args: string[]) =>
  spawnSync('npx', ['tsx', 'scripts/cost.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NODE_ENV: 'production' } });

test('prints the assumptions and the report of example/prod, ending with the Total line', () => {
  const result = cost('--client', 'example', '--env', 'prod');
  expect(result.stderr).not.toMatch(/cost:|Error/);
  expect(result.status).toBe(0);
  const out = result.stdout.trimEnd();
  expect(out).toContain('Usage assumptions (lib/cost/usage-assumptions.ts):');
  expect(out).toContain('Monthly cost estimate: openclaw-example-prod');
  expect(out).toContain('EC2 t4g.small on-demand');
  expect(out).toContain('EC2 t4g.nano on-demand (NAT instance)');
  expect(out.split('\n').at(-1)).toMatch(/^Total {2}\$\d+\.\d{2} \/ month \(us-east-1 list prices, 2026-11-21\)$/);
}, 130_000);

test('--region labels the report; the prices stay us-east-1\'s', () => {
  const result = cost('--client', 'example', '--env', 'dev', '--region', 'eu-west-1', '--no-basis');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('the deployment runs in eu-west-1, priced here at us-east-1 list prices');
  expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Total {2}\$\d+\.\d{2} \/ month \(us-east-1 list prices, 2026-11-21\)$/);
}, 130_000);

test('an unknown client exits non-zero, naming the clients there are', () => {
  const result = cost('--client', 'nope', '--env', 'prod');
  expect(result.status).not.toBe(0);
  expect(result.stderr).toContain('no client "nope"; available: example');
  expect(result.stdout).not.toContain('Total');
}, 130_000);

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
}, 130_000);
