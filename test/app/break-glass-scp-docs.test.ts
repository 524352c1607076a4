import * as fs from 'fs';
import * as path from 'path';
import { breakGlassScpStatement } from '../../lib/access/organization-gaps';

// README and docs/break-glass.md print the SCP statement an organization attaches to close the
// break-glass gaps. They must print exactly the statement break-glass.test.ts simulates
// (breakGlassScpStatement), with the placeholders a reader fills in.

const REPO = path.resolve(__dirname, '..', '..');
const PRINTED = breakGlassScpStatement('<prefix>', ['arn:aws:iam::*:role/<operator role>']);

/** The JSON code blocks of a Markdown file that hold the statement's Sid. */
function scpBlocks(file: string): unknown[] {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  return [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes(PRINTED.Sid)).map((b) => JSON.parse(b) as unknown);
}

test.each(['README.md', 'docs/break-glass.md'])('%s prints the simulated SCP statement, exactly once', (file) => {
  expect(scpBlocks(file)).toEqual([PRINTED]);
});
