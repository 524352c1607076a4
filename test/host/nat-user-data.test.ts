import * as fs from 'fs';
import * as path from 'path';
import { NAT_SETUP_SCRIPT, renderNatUserData } from '../../lib/network/nat-user-data';
import { REPO_ROOT } from '../support/config-fixture';

// lib/network/nat-user-data.ts: the NAT instance's user data is host/nat/nat-setup.sh, byte for
// byte (no placeholders). What the script does is test/host-runtime/nat-setup.test.ts.

test('the script is host/nat/nat-setup.sh of the repo', () => {
  expect(NAT_SETUP_SCRIPT).toBe(path.join(REPO_ROOT, 'host', 'nat', 'nat-setup.sh'));
});

test('the user data is the script, byte for byte: a bash script, no placeholder left', () => {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'host', 'nat', 'nat-setup.sh'), 'utf8');
  expect(renderNatUserData()).toBe(text);
  expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
  expect(text).not.toMatch(/@@[A-Z0-9_]+@@/);
});
