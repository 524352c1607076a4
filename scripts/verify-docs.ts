/** Rewrites the check list of docs/verify.md from the code (npm run verify -- --list prints the same). */
import * as fs from 'fs';
import * as path from 'path';
import { ALL_DRILLS } from '../lib/verify/all-drills';
import { ALL_LIVE_CHECKS } from '../lib/verify/all-checks';
import { renderCheckList } from '../lib/verify/verify-report';

const file = path.resolve(__dirname, '..', 'docs', 'verify.md');
const doc = fs.readFileSync(file, 'utf8');
const next = doc.replace(/(<!-- verify-list:start -->\n)[\s\S]*?(<!-- verify-list:end -->)/, `$1${renderCheckList(ALL_LIVE_CHECKS, ALL_DRILLS)}\n$2`);
if (next === doc) console.log('docs/verify.md: check list unchanged');
else {
  fs.writeFileSync(file, next);
  console.log('docs/verify.md: check list rewritten');
}
