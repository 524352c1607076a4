import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CONFIG_DIR = path.join(REPO_ROOT, 'config');
/** A fixed "today" so exception expiry tests do not depend on the calendar. */
export const NOW = new Date('2026-11-21T12:00:00Z');

/**
 * Copies the repo's config/ into a temporary folder and applies `files`
 * (relative path -> YAML text) on top. Returns the temp root; the config
 * folder is `<root>/config`, so messages read `config/...`.
 */
export function configFixture(files: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-config-'));
  fs.cpSync(CONFIG_DIR, path.join(root, 'config'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, 'config', rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return root;
}

/**
 * Well-formed AMI IDs for test clients (not published AMIs: synth never looks
 * them up). Every client pins the AMIs of its region next to aws.region.
 */
export const TEST_AMI_ID = 'ami-0fedcba9876543210';
/** `instance.amiId` and `network.natAmiId` as YAML top-level keys, for a client file without its own `instance:` or `network:`. */
export const PINNED_AMIS_YAML = `instance:\n  amiId: ${TEST_AMI_ID}\nnetwork:\n  natAmiId: ${TEST_AMI_ID}\n`;
