/**
 * The host's programs as self-contained JavaScript files, bundled by esbuild at
 * synth with the options of lib/bundling/esbuild-options.ts (CommonJS, minified,
 * no source map): host/fetch-secrets/main.ts, the boot-time secret retrieval,
 * shipped as fetch-secrets.js; host/spend-meter/main.ts, the spend meter, shipped
 * as scripts/spend-meter.js; host/agent-audit/main.ts, the attributable audit export,
 * shipped as scripts/agent-audit.js; host/gateway-probe/main.ts, the probe of one gateway
 * through its own protocol, shipped as scripts/gateway-probe.js. Each takes what it imports
 * (AWS SDK clients, the IMDS provider, the lib/ contracts it renders or reads) and nothing else.
 *
 * The SDK's default credential chain (environment, profiles, SSO, web identity...)
 * is replaced in each by the stub next to its entry that refuses
 * (no-default-credentials.ts): the programs pass IMDSv2 credentials explicitly, and
 * no other source can ever be used on the host. CDK, constructs and zod must not be
 * pulled in. The output depends only on the sources: no absolute paths, no time stamps.
 *
 * This module lives in lib/ (it runs at synth, from lib/host/runtime-files.ts);
 * host/ holds only what runs on the instance.
 */
import { buildSync } from 'esbuild';
import { nodeBundleOptions } from './esbuild-options';

/** Module specifiers that must never end up in a host program (CDK, schema validation). */
export const FORBIDDEN_IN_BUNDLE = ['aws-cdk-lib', 'constructs', 'zod'] as const;

/** A program under host/<name>/ that the deployment bundle ships bundled. */
export type HostProgram = 'fetch-secrets' | 'spend-meter' | 'agent-audit' | 'gateway-probe';

interface HostProgramBuild {
  /** The Node the host runs the program with. */
  readonly target: 'node22' | 'node24';
  /** The first line of the bundled file. */
  readonly banner: string;
}

/*
 * The banners still name "bundle.ts", the host/<name>/bundle.ts files that built
 * the programs before this module: they are part of the bundled bytes, which the
 * host bundle's hash covers, so rewording them would replace every host. Keep them
 * byte for byte.
 */
const HOST_PROGRAMS: Readonly<Record<HostProgram, HostProgramBuild>> = {
  'fetch-secrets': {
    target: 'node22',
    banner: '// fetch-secrets.js: bundled from host/fetch-secrets/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.',
  },
  'spend-meter': {
    // Node 24: node:sqlite and zstd are built in.
    target: 'node24',
    banner: '// spend-meter.js: bundled from host/spend-meter/ of openclaw-hardened-aws (bundle.ts); do not edit on the host.',
  },
  'agent-audit': {
    // Node 24: node:sqlite is built in.
    target: 'node24',
    banner: '// agent-audit.js: bundled from host/agent-audit/ of openclaw-hardened-aws; do not edit on the host.',
  },
  'gateway-probe': {
    // Node 24: its global WebSocket is the probe's client.
    target: 'node24',
    banner: '// gateway-probe.js: bundled from host/gateway-probe/ of openclaw-hardened-aws; do not edit on the host.',
  },
};

const cached = new Map<HostProgram, string>();

/** The bundled program (memoized per process). Throws when esbuild reports an error. */
export function bundleHostProgram(name: HostProgram): string {
  let text = cached.get(name);
  if (text === undefined) {
    text = buildHostProgram(name);
    cached.set(name, text);
  }
  return text;
}

/** Builds the program afresh (not memoized): the same sources give the same text. */
export function buildHostProgram(name: HostProgram): string {
  const { target, banner } = HOST_PROGRAMS[name];
  const result = buildSync({
    ...nodeBundleOptions(`host/${name}/main.ts`, target),
    alias: { '@aws-sdk/credential-provider-node': `./host/${name}/no-default-credentials.ts` },
    metafile: true,
    banner: { js: banner },
  });
  const forbidden = Object.keys(result.metafile.inputs).filter((f) => FORBIDDEN_IN_BUNDLE.some((p) => f.startsWith(`node_modules/${p}/`)));
  if (forbidden.length > 0) throw new Error(`${name}.js must not bundle ${FORBIDDEN_IN_BUNDLE.join(', ')}; it does: ${forbidden.slice(0, 5).join(', ')}`);
  return result.outputFiles[0]!.text;
}

/** fetch-secrets.js, bundled once per process. */
export const bundleFetchSecrets = (): string => bundleHostProgram('fetch-secrets');
/** agent-audit.js, bundled once per process. */
export const bundleAgentAudit = (): string => bundleHostProgram('agent-audit');
/** spend-meter.js, bundled once per process. */
export const bundleSpendMeter = (): string => bundleHostProgram('spend-meter');
/** gateway-probe.js, bundled once per process. */
export const bundleGatewayProbe = (): string => bundleHostProgram('gateway-probe');
