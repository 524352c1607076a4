import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONFIG_DIR } from '../config-fixture';
import type * as WorldModule from './world';

// synthesizeFixture's cache: per test file by default; for the whole jest worker only under
// `npm run mutate -- --reuse-synth` (MUTATE_REUSE_SYNTH=1), where synth-reuse.test.ts shows
// when a kept synth is used. Each jest.isolateModules load stands for another test file (its
// own module registry, though here one realm). Outside Stryker no mutant is active, so the first synth is kept.

type World = typeof WorldModule;
const load = (): World => {
  let m: World | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module registry per load is the point
    m = require('./world') as World;
  });
  return m!;
};

// Loaded here, not in the test: world.ts registers its temporary folders' afterAll when loaded.
const worlds = [load(), load(), load(), load()];

// A copy of the config folder, so the key cannot meet a fixture another test left.
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'world-cache-config-'));
beforeAll(() => fs.cpSync(CONFIG_DIR, configDir, { recursive: true }));
afterAll(() => fs.rmSync(configDir, { recursive: true, force: true }));

test('by default each test file synthesizes its own; with MUTATE_REUSE_SYNTH=1 the worker keeps the first, and each file gets its own copy', () => {
  const before = process.env.MUTATE_REUSE_SYNTH;
  try {
    delete process.env.MUTATE_REUSE_SYNTH;
    const a = worlds[0]!.synthesizeFixture('example', 'dev', configDir);
    expect(worlds[1]!.synthesizeFixture('example', 'dev', configDir)).not.toBe(a);
    // Within a file, one fixture.
    expect(worlds[0]!.synthesizeFixture('example', 'dev', configDir)).toBe(a);
    process.env.MUTATE_REUSE_SYNTH = '1';
    const trace = path.join(configDir, 'trace.txt');
    process.env.MUTATE_REUSE_TRACE = trace;
    const made = worlds[2]!.synthesizeFixture('example', 'dev', configDir);
    // What the file that made the kept synth does to its fixture does not reach the next file.
    (made.config.aws as { region: string }).region = 'ap-south-1';
    const copy = worlds[3]!.synthesizeFixture('example', 'dev', configDir);
    expect(copy.config.aws.region).toBe('eu-west-1');
    (made.config.aws as { region: string }).region = 'eu-west-1';
    // MUTATE_REUSE_TRACE: a line per synth asked for (no mutant outside Stryker).
    expect(fs.readFileSync(trace, 'utf8')).toBe(`- ${configDir}|example|dev made\n- ${configDir}|example|dev kept\n`);
    // The kept synth, as a copy of its config and stacks: what one file does to them stays there.
    expect(copy.stage).toBe(made.stage);
    expect(copy.config).not.toBe(made.config);
    expect(copy.config).toEqual(made.config);
    expect(copy.stacks).toEqual(made.stacks);
    (copy.config.aws as { region: string }).region = 'us-west-2';
    delete (copy.stacks[0]!.template as { Resources?: unknown }).Resources;
    expect(made.config.aws.region).toBe('eu-west-1');
    expect(made.stacks[0]!.template.Resources).toBeDefined();
    // Made in the file's own realm: a fresh copy per file, the same one within the file.
    expect(worlds[3]!.synthesizeFixture('example', 'dev', configDir)).toBe(copy);
    expect(Object.getPrototypeOf(copy.config)).toBe(Object.prototype);
    expect(Array.isArray(copy.stacks) && copy.stacks instanceof Array).toBe(true);
  } finally {
    delete process.env.MUTATE_REUSE_TRACE;
    if (before === undefined) delete process.env.MUTATE_REUSE_SYNTH;
    else process.env.MUTATE_REUSE_SYNTH = before;
  }
}, 300_000);
