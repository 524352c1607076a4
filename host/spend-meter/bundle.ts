/**
 * The spend meter as one self-contained JavaScript file: host/spend-meter/main.ts
 * and what it imports (the CloudWatch client, the IMDS provider and IMDS probe of
 * host/fetch-secrets/), bundled by esbuild with the options of fetch-secrets.js
 * (lib/bundling/esbuild-options.ts: CommonJS, minified, no source map), for the
 * host's Node 24 (node:sqlite and zstd are built in). The deployment bundle ships
 * it as scripts/spend-meter.js.
 *
 * The SDK's default credential chain is replaced by a stub that refuses
 * (no-default-credentials.ts): IMDSv2 only. CDK, constructs and zod must not be
 * pulled in. The output depends only on the sources: no absolute paths, no time stamps.
 */
import { buildSync } from 'esbuild';
import { nodeBundleOptions } from '../../lib/bundling/esbuild-options';
import { FORBIDDEN_IN_BUNDLE } from '../fetch-secrets/bundle';

const ENTRY = 'host/spend-meter/main.ts';

let cached: string | undefined;

/** The bundled meter (memoized per process). Throws when esbuild reports an error. */
export function bundleSpendMeter(): string {
  cached ??= buildSpendMeter();
  return cached;
}

/** Builds the meter afresh (not memoized): the same sources give the same text. */
export function buildSpendMeter(): string {
  const result = buildSync({
    ...nodeBundleOptions(ENTRY, 'node24'),
    alias: { '@aws-sdk/credential-provider-node': './host/spend-meter/no-default-credentials.ts' },
    metafile: true,
    banner: { js: '// spend-meter.js: bundled from host/spend-meter/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.' },
  });
  const forbidden = Object.keys(result.metafile.inputs).filter((f) => FORBIDDEN_IN_BUNDLE.some((p) => f.startsWith(`node_modules/${p}/`)));
  if (forbidden.length > 0) throw new Error(`spend-meter.js must not bundle ${FORBIDDEN_IN_BUNDLE.join(', ')}; it does: ${forbidden.slice(0, 5).join(', ')}`);
  return result.outputFiles[0]!.text;
}
