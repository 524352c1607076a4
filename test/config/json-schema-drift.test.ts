import * as fs from 'fs';
import * as path from 'path';
import { overlayJsonSchema } from '../../lib/config/json-schema';
import { CONFIG_DIR } from '../support/config-fixture';

// A safety net, not a focused test: the committed config/schema.json (what
// editors validate overlays against) must be what the generator writes today.
// The schema's behaviour is tested in test/config/schema*.test.ts and
// json-schema.test.ts.

const SCHEMA_FILE = path.join(CONFIG_DIR, 'schema.json');

describe('config/schema.json', () => {
  test('the committed file is up to date with lib/config/schema.ts', () => {
    expect(fs.existsSync(SCHEMA_FILE)).toBe(true);
    const committed: unknown = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'));
    const generated = overlayJsonSchema();
    if (JSON.stringify(committed) !== JSON.stringify(generated)) {
      throw new Error(
        'config/schema.json is stale: it differs from overlayJsonSchema() (lib/config/json-schema.ts). ' +
          'Run `npm run schema:generate` and commit the result.',
      );
    }
    expect(committed).toEqual(generated);
  });

  test('the committed file is formatted as the generator writes it', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(`${JSON.stringify(overlayJsonSchema(), null, 2)}\n`);
  });
});

