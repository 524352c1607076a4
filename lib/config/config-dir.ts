/**
 * The clients and environments a config folder defines: environments/<env>.yaml
 * and clients/<client>/client.yaml. Read by the loader (its "available: ..."
 * messages), the deployment-name validator and the app's `all` selections.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The entries of a folder; none when it is missing or not a folder (the messages then list no choices). */
const entries = (dir: string): string[] => {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
};

const yamlNames = (dir: string) => entries(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -'.yaml'.length)).sort();

/** Environments that have a config/environments/<env>.yaml. */
export function listEnvironments(configDir: string): string[] {
  return yamlNames(path.join(configDir, 'environments'));
}

/** Clients that have a config/clients/<client>/client.yaml. */
export function listClients(configDir: string): string[] {
  const dir = path.join(configDir, 'clients');
  return entries(dir)
    .filter((c) => fs.existsSync(path.join(dir, c, 'client.yaml')))
    .sort();
}
