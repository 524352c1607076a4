import { NGINX_USER } from '../../../lib/host/nftables-rules';

/**
 * nginx's user on a test machine: Debian's nginx package runs its workers as www-data; the
 * Amazon Linux 2023 package's user `nginx` (NGINX_USER, which the rendered ruleset names) does not
 * exist here, and `nft -f` resolves every user name when it loads the file ("User does not exist").
 */
export const TEST_NGINX_USER = 'www-data';

/**
 * The rendered ruleset as the netns tests load it: only nginx's user name changes, to
 * TEST_NGINX_USER, in the one place it appears (each gateway port's set of allowed users); every
 * other line stays byte for byte the rendered one. Throws if the name appears anywhere else.
 */
export function nftRulesForTest(rendered: string): string {
  const lines = rendered.split('\n');
  const named = lines.filter((l) => l.includes(`"${NGINX_USER}"`));
  if (named.length === 0 || named.some((l) => !/^ {8}tcp dport \d+ meta skuid \{ "nginx", "openclaw-[a-z0-9-]+", "root", [\d-]+ \} accept$/.test(l))) {
    throw new Error(`the ruleset names ${NGINX_USER} outside the gateway port rules:\n${named.join('\n')}`);
  }
  return lines.map((l) => l.replace(`"${NGINX_USER}"`, `"${TEST_NGINX_USER}"`)).join('\n');
}
