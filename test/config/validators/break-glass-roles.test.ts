import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../../lib/config/errors';
import { loadDeploymentConfig } from '../../../lib/config/load';
import { acmeClientFiles, configFixture, CONFIG_DIR, NOW } from '../../support/config-fixture';

// Two deployments in one account that both create the break-glass role under one name
// (lib/config/validators/break-glass-roles.ts): refused, naming both files and key paths.

// The example client's prod account (config/clients/example/prod.yaml).
const EXAMPLE_ACCOUNT = '210987654321';
const createRole = (roleName?: string) =>
  ['breakGlass:', ...(roleName ? [`  roleName: ${roleName}`] : []), '  createRole:', '    enabled: true', `    trustedPrincipalArns: ["arn:aws:iam::${EXAMPLE_ACCOUNT}:root"]`, ''].join('\n');
const exampleProd = fs.readFileSync(path.join(CONFIG_DIR, 'clients', 'example', 'prod.yaml'), 'utf8');

function load(files: Record<string, string>, client = 'example'): unknown {
  const configDir = path.join(configFixture({ ...acmeClientFiles(EXAMPLE_ACCOUNT), ...files }), 'config');
  try {
    loadDeploymentConfig({ configDir, client, env: 'prod', now: NOW, displayBase: path.dirname(configDir) });
    return undefined;
  } catch (e) {
    return e;
  }
}

test('example and acme prod in one account, both creating the default-named role: each load is refused, naming the other deployment and both files', () => {
  const files = { 'clients/example/prod.yaml': `${exampleProd}\n${createRole()}`, 'clients/acme/prod.yaml': createRole() };
  const error = load(files);
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems;
  expect(problems).toHaveLength(1);
  expect(problems[0]!.path).toBe('breakGlass.roleName');
  expect(problems[0]!.file).toBe('config/base.yaml');
  expect(problems[0]!.message).toContain('"openclaw-break-glass" with breakGlass.createRole.enabled (config/clients/example/prod.yaml:');
  expect(problems[0]!.message).toContain(`is also the break-glass role of acme-prod in account ${EXAMPLE_ACCOUNT} (breakGlass.roleName at config/base.yaml:`);
  expect(problems[0]!.message).toContain('breakGlass.createRole.enabled at config/clients/acme/prod.yaml:');
  const fromAcme = load(files, 'acme');
  expect(fromAcme).toBeInstanceOf(ConfigError);
  expect((fromAcme as ConfigError).problems[0]!.message).toContain('is also the break-glass role of example-prod');
});

test('the same pair with a role name each, or with only one creating the role, or in two accounts, loads', () => {
  const distinct = { 'clients/example/prod.yaml': `${exampleProd}\n${createRole('openclaw-example-prod-break-glass')}`, 'clients/acme/prod.yaml': createRole('openclaw-acme-prod-break-glass') };
  expect(load(distinct)).toBeUndefined();
  expect(load({ 'clients/example/prod.yaml': `${exampleProd}\n${createRole()}` })).toBeUndefined();
  const otherAccount = { ...acmeClientFiles('123456789012'), 'clients/example/prod.yaml': `${exampleProd}\n${createRole()}`, 'clients/acme/prod.yaml': createRole() };
  const configDir = path.join(configFixture(otherAccount), 'config');
  expect(() => loadDeploymentConfig({ configDir, client: 'example', env: 'prod', now: NOW })).not.toThrow();
});
