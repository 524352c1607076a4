/**
 * Writes config/schema.json (the JSON Schema of one overlay file) from the zod
 * schema in lib/config/schema.ts. `npm run schema:generate`; a test fails when
 * the committed file is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { overlayJsonSchema } from '../lib/config/json-schema';

const file = path.resolve(__dirname, '..', 'config', 'schema.json');
fs.writeFileSync(file, `${JSON.stringify(overlayJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(process.cwd(), file)}`);
