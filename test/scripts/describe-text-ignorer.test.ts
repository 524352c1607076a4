import { execFileSync } from 'child_process';
import * as path from 'path';

// The Stryker ignorer that leaves out mutants in the text of a zod `.describe(...)` (a config
// key's documentation: scripts/stryker/describe-text-ignorer.mjs), run on the Babel that
// Stryker's instrumenter itself uses (support/describe-text-verdicts.mjs): exactly the
// literals inside a describe's argument are ignored, never a constraint, an error message, a
// default or the schema being described.

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plugin's predicate is CommonJS so that both Stryker (ESM) and jest load it
const { DESCRIBE_TEXT_REASON: R } = require('../../scripts/stryker/describe-text.cjs') as { DESCRIBE_TEXT_REASON: string };

const verdicts = (code: string): [string | number, string | null][] =>
  JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'support/describe-text-verdicts.mjs')], { input: code, encoding: 'utf8' })) as [
    string | number,
    string | null,
  ][];

test('the text of a describe, concatenated or templated, is ignored with its reason; constraints, messages, defaults and the described schema are not', () => {
  const code = `
    const s = z.strictObject({
      days: z.number({ error: 'a whole number' }).int().min(1, { error: 'at least 1' }).default(7)
        .describe('Days kept. ' + 'Hardened default: ' + String(7) + '.'),
      mode: z.enum(['on', 'off']).describe(\`Mode \${'x'}\`),
    }).describe('The section.');
    other.describe['y'];
    obj['describe']('computed: not zod');
    describe('a jest block, not a method call', () => 1);
    z.string().describe;
  `;
  expect(verdicts(code)).toEqual([
    ['a whole number', null],
    [1, null],
    ['at least 1', null],
    [7, null],
    ['Days kept. ', R],
    ['Hardened default: ', R],
    [7, R],
    ['.', R],
    ['on', null],
    ['off', null],
    ['Mode ', R],
    ['', R],
    ['x', R],
    ['The section.', R],
    ['y', null],
    ['describe', null],
    ['computed: not zod', null],
    ['a jest block, not a method call', null],
    [1, null],
  ]);
});
