#!/usr/bin/env node
/**
 * Entry point for `cdk synth` / `cdk deploy`: loads the selected config,
 * builds the app and runs the synth-and-nag gate.
 *   npx cdk synth -c client=<client|all> -c env=<env|all>
 */
import * as path from 'path';
import { buildApp, synthesizeWithGate } from '../lib/app';
import { ConfigError } from '../lib/config/errors';
import { GateError } from '../lib/gate/finding';

const now = new Date();
const repoRoot = path.resolve(__dirname, '..');

try {
  const built = buildApp({ configDir: path.join(repoRoot, 'config'), now });
  const passed = synthesizeWithGate(built, now);
  for (const [i, result] of passed.results.entries()) {
    const acks = result.acknowledgements.length;
    console.error(
      `Gate passed for ${result.config.client}/${result.config.env}: 0 unacknowledged findings, ${acks} acknowledged, ` +
        `${result.controls.length} controls verified.\n` +
        `  templates: ${result.templates.map((t) => path.relative(process.cwd(), t.templateFile)).join(', ')}\n` +
        `  compliance report: ${path.relative(process.cwd(), passed.reports[i] ?? '')}`,
    );
  }
} catch (e) {
  if (e instanceof ConfigError || e instanceof GateError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
