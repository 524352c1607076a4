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

/**
 * The files of a second client, `acme`, with one Telegram agent (`helpdesk`), in
 * `account` and eu-west-1: several clients in one account. Its prod has a custom
 * domain (viewer-tls-default-certificate), its AMIs are pinned.
 */
export function acmeClientFiles(account: string): Record<string, string> {
  return {
    'clients/acme/client.yaml': [
      'aws:',
      `  account: "${account}"`,
      '  region: eu-west-1',
      PINNED_AMIS_YAML.trimEnd(),
      'alerts:',
      '  email: ["oncall@acme.example"]',
      'edge:',
      '  customDomain:',
      '    domainName: agents.acme.example',
      `    certificateArn: arn:aws:acm:us-east-1:${account}:certificate/11111111-1111-4111-8111-111111111111`,
      'openclaw:',
      '  agents:',
      '    helpdesk:',
      '      description: Answers on Telegram.',
      '      provider: anthropic',
      '      model: claude-sonnet-4-6',
      '      channels:',
      '        telegram:',
      '          dmPolicy: allowlist',
      '          allowFrom: ["100000009"]',
      '',
    ].join('\n'),
    'clients/acme/agents/helpdesk/SOUL.md': '# Helpdesk\nPolite and brief.\n',
    'clients/acme/agents/helpdesk/AGENTS.md': '# Rules\nAnswer from the workspace only.\n',
  };
}
