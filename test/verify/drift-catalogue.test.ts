/**
 * Issue 14's "Done when": each injected drift fails, naming the control, the
 * resource and what it saw; and it fails ONLY its own control. Every live
 * check runs against one fake of a correct example/prod (zero failures), then
 * once per drift of test/support/fake-deployment/drifts.ts: the failed
 * (control, check) pairs must be exactly the drift's.
 */
import { hostLiveChecks } from '../../lib/host/live-checks';
import { ALL_LIVE_CHECKS } from '../../lib/verify/all-checks';
import type { CheckResult, LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import { NOW } from '../support/config-fixture';
import { DRIFTS, type DriftTarget } from '../support/fake-deployment/drifts';
import { startEdgePath, type EdgePath } from '../support/fake-deployment/edge-http';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { synthesizeFixture } from '../support/fake-deployment/world';

let fake: InstalledFake;
let edge: EdgePath;
beforeAll(async () => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
  edge = await startEdgePath(fake.world);
}, 180_000);
afterAll(async () => {
  await edge?.stop();
  fake?.restore();
});

// The host checks of ALL_LIVE_CHECKS, polling the SSM fake without sleeping.
const NO_WAIT = hostLiveChecks({ intervalMs: 0, timeoutMs: 60_000, sleep: async () => undefined });
// What `npm run verify` runs without --write-probes.
const CHECKS: readonly LiveCheck[] = ALL_LIVE_CHECKS.filter((c) => c.needs !== 'write-probes').map((c) => NO_WAIT.find((h) => h.id === c.id) ?? c);

/**
 * A fresh context per run: ctx.memo caches the host's facts. Each run is a
 * separate `npm run verify`: real ones are minutes apart, these follow each
 * other within milliseconds, so each gets its own viewer address and the
 * real nginx's rate limit (10 r/s, burst 40 per viewer) meets what one run
 * sends, not what 45 runs send in three seconds.
 */
const ctx = () => {
  edge.nextViewer();
  return fake.world.verifyContext({ now: NOW, http: edge.http });
};
const failed = (results: readonly CheckResult[]) => results.filter((r) => r.status !== 'pass');
const pairs = (results: readonly CheckResult[]) => [...new Set(results.map((r) => `${r.control} ${r.check}`))].sort();

test('every live check (but the write probe) passes on the correct example/prod, with evidence', async () => {
  expect(CHECKS.filter((c) => c.needs === 'host').length).toBe(NO_WAIT.length);
  const results = await runChecks(CHECKS, ctx());
  expect(failed(results).map((r) => `${r.check} ${r.resource} | ${r.evidence}`)).toEqual([]);
  expect(new Set(results.map((r) => r.check))).toEqual(new Set(CHECKS.map((c) => c.id)));
  for (const r of results) expect(r.evidence).not.toBe('');
}, 120_000);

test('the catalogue: at least 18 distinct drifts; every check fails alone under at least one, but the world-ingress check', () => {
  expect(new Set(DRIFTS.map((d) => d.name)).size).toBe(DRIFTS.length);
  expect(DRIFTS.length).toBeGreaterThanOrEqual(18);
  for (const d of DRIFTS) for (const [control, id] of d.expected) expect(`${id} ${CHECKS.find((c) => c.id === id)?.control}`).toBe(`${id} ${control}`);
  const soleFailures = new Set(DRIFTS.filter((d) => d.expected.length === 1).map((d) => d.expected[0]![1]));
  // Every rendered rule is narrower than the world, so an ingress from 0.0.0.0/0 is always also a rule not rendered.
  expect(CHECKS.map((c) => c.id).filter((id) => !soleFailures.has(id))).toEqual(['host.sg-no-world-ingress']);
  expect(DRIFTS.some((d) => d.expected.some(([, id]) => id === 'host.sg-no-world-ingress'))).toBe(true);
});

test.each(DRIFTS.map((d) => [d.name, d] as const))('drift: %s fails exactly its own control(s)', async (_name, drift) => {
  const target: DriftTarget = { world: fake.world, edge };
  drift.apply(target);
  let results: CheckResult[];
  try {
    results = await runChecks(CHECKS, ctx());
  } finally {
    drift.undo(target);
  }
  const fails = failed(results);
  expect(fails.every((r) => r.status === 'fail')).toBe(true);
  expect(pairs(fails)).toEqual(drift.expected.map(([control, check]) => `${control} ${check}`).sort());
  for (const [, check, evidence] of drift.expected) {
    const mine = fails.filter((r) => r.check === check);
    expect(mine.map((r) => r.evidence).join('\n')).toMatch(evidence);
    for (const r of mine) {
      // The resource it looked at, and what it saw: the seen value and what was expected, or the seen value the drift put there.
      expect(r.resource).not.toMatch(/^(\(check\)|\(none\)|)$/);
      expect(/; expected/.test(r.evidence) || evidence.test(r.evidence) ? 'names what it saw' : r.evidence).toBe('names what it saw');
    }
  }
}, 60_000);

test('after the catalogue, the fake is correct again: nothing fails', async () => {
  expect(failed(await runChecks(CHECKS, ctx())).map((r) => `${r.check} ${r.resource} | ${r.evidence}`)).toEqual([]);
}, 60_000);
