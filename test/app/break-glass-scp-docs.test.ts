import * as fs from 'fs';
import * as path from 'path';
import { breakGlassScp } from '../../lib/access/organization-gaps';

// README and docs/break-glass.md print the SCP an organization attaches to close the break-glass
// gaps. They must print exactly the policy break-glass.test.ts and break-glass-scheduled-commands.test.ts
// simulate (breakGlassScp: both statements), with the placeholders a reader fills in.

const REPO = path.resolve(__dirname, '..', '..');
const PRINTED = breakGlassScp('<prefix>', ['arn:aws:iam::*:role/<operator role>']);

/** The JSON code blocks of a Markdown file that hold one of the statements' Sids. */
function scpBlocks(file: string): unknown[] {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((b) => PRINTED.Statement.some((s) => b.includes(s.Sid)))
    .map((b) => JSON.parse(b) as unknown);
}

test.each(['README.md', 'docs/break-glass.md'])('%s prints the simulated SCP, both statements, exactly once', (file) => {
  expect(scpBlocks(file)).toEqual([PRINTED]);
});
