/**
 * The retrieval program as one self-contained JavaScript file: host/fetch-secrets/main.ts
 * and what it imports (AWS SDK clients, the IMDS provider, renderOriginVerifyMap),
 * bundled by esbuild for the host's Node (CommonJS, minified, no source map).
 * The deployment bundle ships it as fetch-secrets.js.
 *
 * The SDK's default credential chain (environment, profiles, SSO, web
 * identity...) is replaced by a stub that refuses (no-default-credentials.ts):
 * the program passes IMDSv2 credentials explicitly, and no other source can
 * ever be used on the host. CDK, constructs and zod must not be pulled in.
 * The output depends only on the sources: no absolute paths, no time stamps.
 */
import { buildSync } from 'esbuild';
import { nodeBundleOptions } from '../../lib/bundling/esbuild-options';

const ENTRY = 'host/fetch-secrets/main.ts';

/** Module specifiers that must never end up in the program (CDK, schema validation). */
export const FORBIDDEN_IN_BUNDLE = ['aws-cdk-lib', 'constructs', 'zod'] as const;

let cached: string | undefined;

/** The bundled program (memoized per process). Throws when esbuild reports an error. */
export function bundleFetchSecrets(): string {
  cached ??= buildFetchSecrets();
  return cached;
}

/** Builds the program afresh (not memoized): the same sources give the same text. */
export function buildFetchSecrets(): string {
  const result = buildSync({
    ...nodeBundleOptions(ENTRY, 'node22'),
    alias: { '@aws-sdk/credential-provider-node': './host/fetch-secrets/no-default-credentials.ts' },
    metafile: true,
    banner: { js: '// fetch-secrets.js: bundled from host/fetch-secrets/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.' },
  });
  const forbidden = Object.keys(result.metafile.inputs).filter((f) => FORBIDDEN_IN_BUNDLE.some((p) => f.startsWith(`node_modules/${p}/`)));
  if (forbidden.length > 0) throw new Error(`fetch-secrets.js must not bundle ${FORBIDDEN_IN_BUNDLE.join(', ')}; it does: ${forbidden.slice(0, 5).join(', ')}`);
  return result.outputFiles[0]!.text;
}
