/**
 * Lambda code from lambda/<function>/index.ts, bundled by esbuild in-process
 * at synth (arm64 Node 24, CommonJS, minified). The AWS SDK clients are
 * bundled too, so the function runs the versions pinned in package-lock.json,
 * not whatever the runtime ships. Memoized per process and written to a
 * content-addressed temporary folder: the same sources give the same asset hash.
 */
import * as crypto from 'crypto';
import { buildSync } from 'esbuild';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { nodeBundleOptions } from './esbuild-options';

const built = new Map<string, string>();

/** The folder holding `index.js` of lambda/<name>/ (bundled once per process). */
export function bundleLambda(name: string): string {
  const cached = built.get(name);
  if (cached) return cached;
  const result = buildSync(nodeBundleOptions(`lambda/${name}/index.ts`, 'node24'));
  const text = result.outputFiles[0]!.text;
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `openclaw-lambda-${name}-${hash}`);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `index.js.${process.pid}.tmp`);
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, path.join(dir, 'index.js'));
  }
  built.set(name, dir);
  return dir;
}

/** lambda.Code of lambda/<name>/ (handler `index.handler`). */
export const lambdaCode = (name: string): lambda.Code => lambda.Code.fromAsset(bundleLambda(name));
