import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildApp, synthesizeWithGate, type BuiltApp } from '../../lib/app';
import { GateError, type GateFinding } from '../../lib/gate/finding';
import { CONFIG_DIR, NOW } from './config-fixture';

/** Context every test synth uses: asset bundling skipped for speed. */
export const TEST_CONTEXT = { 'aws:cdk:bundling-stacks': [] };

/** Builds the app the way bin/app.ts does, into a fresh temporary cloud assembly folder. */
export function buildForTest(context: Record<string, unknown>, configDir = CONFIG_DIR, displayBase?: string): BuiltApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'oc-cdk-out-'));
  return buildApp({ configDir, now: NOW, outdir, context: { ...TEST_CONTEXT, ...context }, displayBase });
}

/** Synthesizes with the gate and returns its findings ([] when it passed). */
export function gateFindings(built: BuiltApp): GateFinding[] {
  try {
    synthesizeWithGate(built, NOW);
    return [];
  } catch (e) {
    if (e instanceof GateError) return [...e.findings];
    throw e;
  }
}
