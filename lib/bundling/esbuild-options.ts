import type { BuildOptions } from 'esbuild';
import * as path from 'path';

/** The repository root: entry points are given relative to it, so no path of this machine ends up in a bundle. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * How this repo bundles TypeScript for Node (Lambda handlers and the host's
 * retrieval program): one minified CommonJS file with every dependency inside
 * (the SDK at the version package-lock.json pins), no source map, no legal
 * comments: the same sources give the same bytes.
 */
export function nodeBundleOptions(entry: string, target: 'node22' | 'node24'): BuildOptions & { write: false } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'node',
    target,
    format: 'cjs',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  };
}
