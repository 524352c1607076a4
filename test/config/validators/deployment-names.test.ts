import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../../lib/config/errors';
import { checkDistinctDeploymentNames } from '../../../lib/config/validators/deployment-names';
import { configFixture, REPO_ROOT } from '../../support/config-fixture';

test('two client/environment folder pairs that spell the same deployment name are refused, naming both', () => {
  const root = configFixture({
    'environments/b-dev.yaml': '# an environment whose name continues a client name\n',
    'clients/a/client.yaml': fs.readFileSync(path.join(REPO_ROOT, 'config', 'clients', 'example', 'client.yaml'), 'utf8'),
    'clients/a-b/client.yaml': fs.readFileSync(path.join(REPO_ROOT, 'config', 'clients', 'example', 'client.yaml'), 'utf8'),
  });
  const configDir = path.join(root, 'config');
  let error: unknown;
  try {
    checkDistinctDeploymentNames(configDir);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  // The problem names the clients folder (relative to where the command runs), where the rename happens.
  expect((error as ConfigError).problems.map((p) => p.file)).toEqual([path.relative(process.cwd(), path.join(configDir, 'clients'))]);
  expect((error as ConfigError).problems[0]!.file!.endsWith(`${path.sep}config${path.sep}clients`)).toBe(true);
  expect((error as ConfigError).message).toContain('clients/a with environments/b-dev.yaml and clients/a-b with environments/dev.yaml both make the deployment name "a-b-dev"');
  // The real config has no such pair.
  expect(() => checkDistinctDeploymentNames(path.join(REPO_ROOT, 'config'))).not.toThrow();
});
