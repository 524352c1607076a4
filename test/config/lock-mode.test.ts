import * as fs from 'fs';
import * as path from 'path';
import { GOVERNANCE_ENVIRONMENTS, objectLockMode } from '../../lib/audit/audit-config';
import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { configFixture, CONFIG_DIR, NOW } from '../support/config-fixture';

// audit.lockMode: the Object Lock mode of the audit buckets, derived from the
// environment's name once, at load, into the resolved config; no file can set it.

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

test('derived from the environment: GOVERNANCE in dev and staging, COMPLIANCE in every other one', () => {
  expect([...GOVERNANCE_ENVIRONMENTS]).toEqual(['dev', 'staging']);
  expect(['dev', 'staging', 'prod', 'perf', 'production'].map(objectLockMode)).toEqual(['GOVERNANCE', 'GOVERNANCE', 'COMPLIANCE', 'COMPLIANCE', 'COMPLIANCE']);
});

test('the loaded config carries it, next to the audit keys the YAML sets', () => {
  const audit = (env: string) => loadConfig({ configDir: CONFIG_DIR, client: 'example', env, now: NOW }).config.audit;
  expect(audit('prod')).toEqual({ lockRetentionDays: 400, infrequentAccessAfterDays: 30, glacierAfterDays: 90, lockMode: 'COMPLIANCE' });
  expect([audit('dev').lockMode, audit('staging').lockMode]).toEqual(['GOVERNANCE', 'GOVERNANCE']);
});

test('an environment not listed as non-production gets COMPLIANCE', () => {
  const copy = (file: string) => fs.readFileSync(path.join(CONFIG_DIR, file), 'utf8');
  const root = configFixture({ 'environments/perf.yaml': copy('environments/prod.yaml'), 'clients/example/perf.yaml': copy('clients/example/prod.yaml') });
  roots.push(root);
  expect(loadConfig({ configDir: path.join(root, 'config'), client: 'example', env: 'perf', now: NOW }).config.audit.lockMode).toBe('COMPLIANCE');
});

test.each([
  ['environments/prod.yaml', 'prod', fs.readFileSync(path.join(CONFIG_DIR, 'environments/prod.yaml'), 'utf8').replace(/^audit:\n/m, 'audit:\n  lockMode: GOVERNANCE\n')],
  ['clients/example/dev.yaml', 'dev', 'audit:\n  lockMode: COMPLIANCE\n'],
])('setting it in %s is refused, naming the file, the line and where the mode comes from', (file, env, text) => {
  const root = configFixture({ [file]: text });
  roots.push(root);
  let error: unknown;
  try {
    loadConfig({ configDir: path.join(root, 'config'), displayBase: root, client: 'example', env, now: NOW });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems.filter((p) => p.path === 'audit.lockMode')).toEqual([
    {
      file: `config/${file}`,
      line: expect.any(Number),
      path: 'audit.lockMode',
      message: '"lockMode" cannot be set: it is derived from the environment: GOVERNANCE in dev and staging, COMPLIANCE in every other one; remove it',
    },
  ]);
});
