import * as fs from 'fs';
import * as path from 'path';
import { ALL_DRILLS } from '../../lib/verify/all-drills';
import { ALL_LIVE_CHECKS } from '../../lib/verify/all-checks';
import { renderCheckList } from '../../lib/verify/verify-report';
import { REPO_ROOT } from '../support/config-fixture';

describe('docs/verify.md', () => {
  it('lists exactly the checks and drills npm run verify -- --list prints', () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'verify.md'), 'utf8');
    const m = /<!-- verify-list:start -->\n([\s\S]*?)\n<!-- verify-list:end -->/.exec(doc);
    expect(m?.[1]).toBe(renderCheckList(ALL_LIVE_CHECKS, ALL_DRILLS));
  });

  it('every check has a unique ID under its concern and declares at least one IAM action', () => {
    const ids = ALL_LIVE_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of ALL_LIVE_CHECKS) {
      expect(c.id.startsWith(`${c.concern}.`)).toBe(true);
      expect(c.iam.length).toBeGreaterThan(0);
      for (const a of c.iam) expect(a).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
    }
  });
});
