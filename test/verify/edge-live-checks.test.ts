import type { WebACL } from '@aws-sdk/client-wafv2';
import { EDGE_LIVE_CHECKS, requestReachesGateway, viewerTls, wafAssociated } from '../../lib/edge/live-checks';
import { wafLogging, wafRulesBlock } from '../../lib/edge/live-waf-checks';
import type { LiveCheck } from '../../lib/verify/live-check';
import { runChecks } from '../../lib/verify/run-checks';
import type { HttpRequester } from '../../lib/verify/verify-context';
import { NOW } from '../support/config-fixture';
import { cloudFrontState } from '../support/fake-deployment/cloudfront';
import { startEdgePath, type EdgePath } from '../support/fake-deployment/edge-http';
import { installFakeAws, type InstalledFake } from '../support/fake-deployment/install';
import { wafState } from '../support/fake-deployment/wafv2';
import { synthesizeFixture } from '../support/fake-deployment/world';

let fake: InstalledFake;
let edge: EdgePath;

beforeAll(async () => {
  fake = installFakeAws(synthesizeFixture('example', 'prod'));
  edge = await startEdgePath(fake.world);
}, 120_000);
afterAll(async () => {
  await edge?.stop();
  fake?.restore();
});

const ctxOf = (http?: HttpRequester) =>
  fake.world.verifyContext({ now: NOW, http: http ?? edge.http });

const run = (check: LiveCheck) => runChecks([check], ctxOf());

/** Runs `check` after `drift` changed the world, and puts the world back. */
async function drifted(check: LiveCheck, key: 'cloudfront' | 'wafv2', drift: () => void) {
  try {
    drift();
    return await run(check);
  } finally {
    delete fake.world.state[key];
  }
}

const onlyAcl = (): WebACL => [...wafState(fake.world).webAcls.values()][0]!;
const onlyDistribution = () => [...cloudFrontState(fake.world).values()][0]!;

describe('edge live checks on the fake of a correct example/prod', () => {
  it('each check passes with evidence of what it saw', async () => {
    const results = await runChecks(EDGE_LIVE_CHECKS, ctxOf());
    expect(results.filter((r) => r.status !== 'pass')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual(['edge.waf-associated', 'edge.waf-rules-block', 'edge.waf-logging', 'edge.viewer-tls', 'edge.request-reaches-gateway', 'edge.request-reaches-gateway']);
    const by = (id: string) => results.find((r) => r.check === id)!;
    expect(by('edge.waf-associated').evidence).toMatch(/^WebACLId arn:aws:wafv2:us-east-1:210987654321:global\/webacl\/openclaw-example-prod\//);
    expect(by('edge.waf-rules-block').evidence).toContain('aws-AWSManagedRulesCommonRuleSet(5) override None');
    expect(by('edge.waf-rules-block').evidence).toContain('per-ip-rate-limit(2) Block');
    expect(by('edge.waf-logging').evidence).toMatch(/^logs to arn:aws:s3:::\S+, redacted /);
    expect(by('edge.viewer-tls').evidence).toBe('MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, viewer protocol default https-only');
    // One request per gateway, at its own path (nginx routes /agents/<id>/healthz to that gateway's /healthz).
    expect(results.filter((r) => r.check === 'edge.request-reaches-gateway').map((r) => [r.resource, r.evidence])).toEqual([
      ['https://agents.example.com/agents/ops/healthz', 'HTTP 200 {"ok":true,"status":"live"} (x-cache Miss from cloudfront)'],
      ['https://agents.example.com/agents/support/healthz', 'HTTP 200 {"ok":true,"status":"live"} (x-cache Miss from cloudfront)'],
    ]);
  });

  it('declares the controls of the catalogue and the IAM actions it calls', () => {
    expect(EDGE_LIVE_CHECKS.map((c) => [c.id, c.control, c.daily, c.iam])).toEqual([
      ['edge.waf-associated', 'cloudfront-waf', true, ['cloudfront:GetDistributionConfig', 'wafv2:GetWebACL']],
      ['edge.waf-rules-block', 'waf-rules', true, ['wafv2:GetWebACL']],
      ['edge.waf-logging', 'waf-logging', true, ['wafv2:GetWebACL', 'wafv2:GetLoggingConfiguration']],
      ['edge.viewer-tls', 'cloudfront-https-only', true, ['cloudfront:GetDistributionConfig']],
      ['edge.request-reaches-gateway', 'edge-request-reaches-gateway', false, ['cloudfront:GetDistribution']],
    ]);
    expect(requestReachesGateway.needs).toBe('edge-request');
  });
});

describe('edge live checks fail on drift, naming what they saw', () => {
  it('web ACL detached from the distribution', async () => {
    const [r] = await drifted(wafAssociated, 'cloudfront', () => (onlyDistribution().config.WebACLId = ''));
    expect(r).toMatchObject({ status: 'fail', resource: onlyDistribution().id, control: 'cloudfront-waf' });
    expect(r!.evidence).toMatch(/^WebACLId \(none\); expected arn:aws:wafv2:us-east-1:\S+ \(openclaw-example-prod\)$/);
  });

  it('a managed rule group switched to Count', async () => {
    const [r] = await drifted(wafRulesBlock, 'wafv2', () => {
      onlyAcl().Rules!.find((x) => x.Name === 'aws-AWSManagedRulesCommonRuleSet')!.OverrideAction = { Count: {} };
    });
    expect(r).toMatchObject({ status: 'fail', control: 'waf-rules' });
    expect(r!.evidence).toBe('aws-AWSManagedRulesCommonRuleSet OverrideAction Count; expected None');
  });

  it('a rule removed', async () => {
    const [r] = await drifted(wafRulesBlock, 'wafv2', () => {
      const acl = onlyAcl();
      acl.Rules = acl.Rules!.filter((x) => x.Name !== 'aws-AWSManagedRulesKnownBadInputsRuleSet');
    });
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toBe('rule aws-AWSManagedRulesKnownBadInputsRuleSet (priority 4) missing');
  });

  it('a blocking rule set to Count, more rules counted inside a group, a rate limit raised, the default action changed', async () => {
    const [r] = await drifted(wafRulesBlock, 'wafv2', () => {
      const acl = onlyAcl();
      acl.DefaultAction = { Block: {} };
      const rate = acl.Rules!.find((x) => x.Name === 'per-ip-rate-limit')!;
      rate.Action = { Count: {} };
      rate.Statement!.RateBasedStatement!.Limit = 100000;
      acl.Rules!.find((x) => x.Name === 'aws-AWSManagedRulesCommonRuleSet')!.Statement!.ManagedRuleGroupStatement!.RuleActionOverrides!.push({ Name: 'CrossSiteScripting_BODY', ActionToUse: { Count: {} } });
    });
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toContain('DefaultAction Block; expected Allow');
    expect(r!.evidence).toContain('per-ip-rate-limit Action Count; expected Block');
    expect(r!.evidence).toContain('per-ip-rate-limit rate limit 100000; expected 500');
    expect(r!.evidence).toContain('aws-AWSManagedRulesCommonRuleSet managed group AWS/AWSManagedRulesCommonRuleSet overrides [{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"},{"ActionToUse":{"Count":{}},"Name":"CrossSiteScripting_BODY"}]');
  });

  it('logging removed, or sent elsewhere', async () => {
    const [gone] = await drifted(wafLogging, 'wafv2', () => wafState(fake.world).logging.clear());
    expect(gone).toMatchObject({ status: 'fail', control: 'waf-logging' });
    expect(gone!.evidence).toMatch(/^no logging configuration; expected logs to arn:aws:s3:::\S+$/);
    const [elsewhere] = await drifted(wafLogging, 'wafv2', () => {
      for (const l of wafState(fake.world).logging.values()) l.LogDestinationConfigs = ['arn:aws:s3:::aws-waf-logs-somewhere-else'];
    });
    expect(elsewhere!.status).toBe('fail');
    expect(elsewhere!.evidence).toMatch(/^logs to arn:aws:s3:::aws-waf-logs-somewhere-else, redacted .*; expected logs to arn:aws:s3:::(?!aws-waf-logs-somewhere-else)/);
  });

  it('the origin-verify header no longer redacted from the logs', async () => {
    const [r] = await drifted(wafLogging, 'wafv2', () => {
      for (const l of wafState(fake.world).logging.values()) l.RedactedFields = l.RedactedFields!.filter((f) => f.SingleHeader?.Name !== 'x-origin-verify');
    });
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/redacted \[.*"authorization".*\]; expected .*x-origin-verify/);
  });

  it('a TLSv1 viewer policy', async () => {
    const [r] = await drifted(viewerTls, 'cloudfront', () => (onlyDistribution().config.ViewerCertificate!.MinimumProtocolVersion = 'TLSv1'));
    expect(r).toMatchObject({ status: 'fail', control: 'cloudfront-https-only' });
    expect(r!.evidence).toBe(
      'MinimumProtocolVersion TLSv1, SSLSupportMethod sni-only, certificate acm, viewer protocol default https-only; expected MinimumProtocolVersion TLSv1.2_2021, SSLSupportMethod sni-only, certificate acm, every behaviour https-only or redirect-to-https',
    );
  });

  it('plain HTTP allowed on a behaviour', async () => {
    const [r] = await drifted(viewerTls, 'cloudfront', () => (onlyDistribution().config.DefaultCacheBehavior!.ViewerProtocolPolicy = 'allow-all'));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/viewer protocol default allow-all; expected/);
  });

  it('one gateway down: nginx answers 502 on its path, CloudFront passes it as an error; the other gateway\'s path passes', async () => {
    await edge.setGatewayUp(false, 0); // ops, the first gateway (edge.gatewayPort + 0)
    try {
      const [ops, support] = await run(requestReachesGateway);
      expect(ops).toMatchObject({ status: 'fail', control: 'edge-request-reaches-gateway', resource: 'https://agents.example.com/agents/ops/healthz' });
      expect(ops!.evidence).toMatch(/^HTTP 502 .*\(x-cache Error from cloudfront\); expected HTTP 200 \{"ok":true,"status":"live"\} from the gateway/);
      expect(support).toMatchObject({ status: 'pass', resource: 'https://agents.example.com/agents/support/healthz' });
    } finally {
      await edge.setGatewayUp(true, 0);
    }
  });

  it('the WAF blocking the request: CloudFront answers 403 itself', async () => {
    edge.state.wafBlocks = true;
    try {
      const [r] = await run(requestReachesGateway);
      expect(r!.status).toBe('fail');
      expect(r!.evidence).toMatch(/^HTTP 403 <html>.*Request blocked.*\(x-cache Error from cloudfront\); expected HTTP 200/);
    } finally {
      edge.state.wafBlocks = false;
    }
  });

  it('CloudFront sending an origin-verify value the host does not accept: nginx refuses with 403', async () => {
    edge.state.originVerifyValue = `${edge.deployedOriginVerify}x`;
    try {
      const [r] = await run(requestReachesGateway);
      expect(r!.status).toBe('fail');
      expect(r!.evidence).toMatch(/^HTTP 403 .*\(x-cache Error from cloudfront\); expected/);
    } finally {
      edge.state.originVerifyValue = edge.deployedOriginVerify;
    }
  });

  it('a 200 that is not the gateway answer (a wrong origin) fails too', async () => {
    const other: HttpRequester = async () => ({ status: 200, headers: { 'x-cache': 'Miss from cloudfront' }, body: '<html>Welcome to nginx!</html>' });
    const [r] = await runChecks([requestReachesGateway], ctxOf(other));
    expect(r!.status).toBe('fail');
    expect(r!.evidence).toMatch(/^HTTP 200 <html>Welcome to nginx!<\/html> \(x-cache Miss from cloudfront\); expected HTTP 200/);
  });
});

test("each check's id, control, title, concern, schedule and actions, exactly (the list a mutation run found unpinned)", () => {
  expect(EDGE_LIVE_CHECKS.map((c) => ({ id: c.id, control: c.control, title: c.title, concern: c.concern, daily: c.daily, iam: c.iam }))).toEqual([
      {"id":"edge.waf-associated","control":"cloudfront-waf","title":"The distribution is associated with the deployment's web ACL","concern":"edge","daily":true,"iam":["cloudfront:GetDistributionConfig","wafv2:GetWebACL"]},
      {"id":"edge.waf-rules-block","control":"waf-rules","title":"The web ACL has exactly the rendered rules, blocking (managed groups not in Count)","concern":"edge","daily":true,"iam":["wafv2:GetWebACL"]},
      {"id":"edge.waf-logging","control":"waf-logging","title":"The web ACL logs to the deployed destination with the rendered redactions","concern":"edge","daily":true,"iam":["wafv2:GetWebACL","wafv2:GetLoggingConfiguration"]},
      {"id":"edge.viewer-tls","control":"cloudfront-https-only","title":"Viewers reach CloudFront over HTTPS only, with the TLS security policy in force for the config","concern":"edge","daily":true,"iam":["cloudfront:GetDistributionConfig"]},
      {"id":"edge.request-reaches-gateway","control":"edge-request-reaches-gateway","title":"A request through CloudFront to each agent's path passes the WAF and nginx and gets that gateway's own answer","concern":"edge","daily":false,"iam":["cloudfront:GetDistribution"]},
  ]);
});

describe('request-reaches-gateway, answer by answer (what a mutation run found unpinned)', () => {
  const paths = ['https://agents.example.com/agents/ops/healthz', 'https://agents.example.com/agents/support/healthz'];
  /** The check with every request answered by `answer` (the requests recorded). */
  const answered = async (answer: (url: string) => Promise<{ status: number; headers: Record<string, string>; body: string }>) => {
    const asked: unknown[] = [];
    const results = await runChecks([requestReachesGateway], ctxOf(async (url, init) => (asked.push([url, init]), answer(url))));
    return { asked, results: results.map((r) => [r.status, r.resource, r.evidence]) };
  };
  const live = '{"ok":true,"status":"live"}';

  it('a GET to each path; the body is compared trimmed; x-cache is found whatever its case', async () => {
    const { asked, results } = await answered(async () => ({ status: 200, headers: { 'X-Cache': 'Hit from cloudfront' }, body: `\n  ${live}\n` }));
    expect(asked).toEqual(paths.map((p) => [p, { method: 'GET' }]));
    expect(results).toEqual(paths.map((p) => ['pass', p, `HTTP 200 ${live} (x-cache Hit from cloudfront)`]));
  });

  it('another status with the right body fails; a long body is cut at 120 characters and its whitespace collapsed; no x-cache, none named', async () => {
    const { results } = await answered(async () => ({ status: 201, headers: {}, body: live }));
    expect(results[0]).toEqual(['fail', paths[0], expect.stringMatching(new RegExp(`^HTTP 201 \\{"ok":true,"status":"live"\\}; expected HTTP 200 \\{"ok":true,"status":"live"\\} from the gateway \\(distribution \\w+ Deployed\\)$`))]);
    const body = `  <html>\n\t${'word '.repeat(40)}</html>`;
    const long = await answered(async () => ({ status: 500, headers: {}, body }));
    expect(long.results[0]![2]).toBe(`HTTP 500 ${`${body.slice(0, 120)}...`.replace(/\s+/g, ' ').trim()}; expected HTTP 200 ${live} from the gateway (distribution ${String(long.results[0]![2]).split('(distribution ')[1]}`);
    expect(String(long.results[0]![2])).toMatch(/^HTTP 500 <html> word word /);
    // Exactly 120 characters are not cut.
    const exact = 'x'.repeat(120);
    expect((await answered(async () => ({ status: 500, headers: {}, body: exact }))).results[0]![2]).toMatch(new RegExp(`^HTTP 500 ${exact}; expected`));
  });

  it('no answer at all is a failure per path, naming the error', async () => {
    const { results } = await answered(async () => {
      throw new Error('connect ETIMEDOUT');
    });
    expect(results).toEqual(paths.map((p) => ['fail', p, `no answer (connect ETIMEDOUT); expected HTTP 200 ${live} from the gateway`]));
  });
});
