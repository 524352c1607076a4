/**
 * A catalogue of drifts of a deployed example/prod, one per way a control can
 * be broken live, each with the exact set of checks it must fail
 * (test/verify/drift-catalogue.test.ts). A drift changes the fake's state the
 * way the drift would change AWS or the host (never what a check expects);
 * `undo` puts the correct deployment back: every per-service state of the fake
 * is rebuilt from the templates on first use, so undoing drops the state keys
 * it touched. Over 300 lines because it is one table, read as one: a drift
 * per entry, in the order of the concerns.
 */
import type { HostFacts } from '../../../lib/host/live-host-facts';
import { NOW } from '../config-fixture';
import { budgetDrift } from './budgets';
import { cloudFrontState } from './cloudfront';
import { cloudTrailState } from './cloudtrail';
import { alarmDrift } from './cloudwatch';
import { costTagDrift } from './cost-explorer';
import { ec2State } from './ec2';
import type { EdgePath } from './edge-http';
import { functionDrift } from './lambda';
import { s3State, type FakeBucket } from './s3';
import { secretsManagerState, type FakeSecret } from './secrets-manager';
import { subscriptionDrift } from './sns';
import type { FakeHostState } from './ssm';
import { wafState } from './wafv2';
import type { FakeWorld } from './world';

/** The fake deployment a drift changes: the AWS side and the edge request path. */
export interface DriftTarget {
  /** The fake AWS account and the gateway host behind SSM. */
  readonly world: FakeWorld;
  /** The fake CloudFront -> nginx -> gateway path of the edge request check. */
  readonly edge: EdgePath;
}

/** One injected drift and what it must fail. */
export interface Drift {
  /** What drifted, as an operator would say it. */
  readonly name: string;
  /** Changes the fake deployment. */
  readonly apply: (t: DriftTarget) => void;
  /** Puts the correct deployment back. */
  readonly undo: (t: DriftTarget) => void;
  /**
   * Exactly the [control, check ID] pairs that fail, no more, no fewer, each
   * with what the evidence of its failure says it saw.
   */
  readonly expected: readonly (readonly [control: string, check: string, evidence: RegExp])[];
}

const DAY_MS = 86_400_000;

/** Undo by dropping the state keys a drift touched (the fakes rebuild them from the templates). */
const reset =
  (...keys: string[]) =>
  ({ world }: DriftTarget): void => {
    for (const k of keys) delete world.state[k];
  };

/** The gateway host's facts changed by `change` (the SSM fake prints them). */
const hostDrift = (change: (f: HostFacts) => HostFacts) => ({
  apply: ({ world }: DriftTarget) => void (world.state.host = { drift: change } satisfies FakeHostState),
  undo: reset('host'),
});

const instanceOf = (world: FakeWorld, role: 'gateway' | 'network') => {
  const r = world.resources('AWS::EC2::Instance', role)[0]!;
  return ec2State(world).instances.get(world.physicalId(role, r.logicalId))!;
};
const groupId = (world: FakeWorld, logicalIdStart: string) =>
  world.physicalId('network', world.resources('AWS::EC2::SecurityGroup', 'network').find((g) => g.logicalId.startsWith(logicalIdStart))!.logicalId);
const auditBucket = (world: FakeWorld, region: string): FakeBucket => [...s3State(world).buckets.values()].find((b) => b.objectLock !== undefined && b.region === region)!;
const secret = (world: FakeWorld, suffix: string): FakeSecret => [...secretsManagerState(world).secrets.values()].find((s) => s.name.endsWith(suffix))!;
const onlyAcl = (world: FakeWorld) => [...wafState(world).webAcls.values()][0]!;
const onlyDistribution = (world: FakeWorld) => [...cloudFrontState(world).values()][0]!;

export const DRIFTS: readonly Drift[] = [
  // deployment
  {
    name: 'the last deploy of the gateway stack rolled back',
    apply: ({ world }) => world.stackStatus.set(`${world.name}-gateway`, 'UPDATE_ROLLBACK_COMPLETE'),
    undo: ({ world }) => world.stackStatus.set(`${world.name}-gateway`, 'UPDATE_COMPLETE'),
    expected: [['deployment-settled', 'deployment.stacks-deployed', /^status UPDATE_ROLLBACK_COMPLETE; expected/]],
  },
  {
    name: 'a change of the network template not deployed',
    apply: ({ world }) => {
      const network = world.stack('network');
      const [id, first] = Object.entries(network.template.Resources ?? {})[0]!;
      world.state.deployedTemplates = new Map([[network.stackName, { ...network.template, Resources: { ...network.template.Resources, [id]: { ...first, Properties: { ...first.Properties, Changed: true } } } }]]);
    },
    undo: reset('deployedTemplates'),
    expected: [['deployment-current', 'deployment.templates-current', /^deployed template differs in 1 resource\(s\): \S+; expected/]],
  },
  // edge
  {
    name: 'the web ACL detached from the distribution',
    apply: ({ world }) => void (onlyDistribution(world).config.WebACLId = ''),
    undo: reset('cloudfront'),
    expected: [['cloudfront-waf', 'edge.waf-associated', /^WebACLId \(none\); expected arn:aws:wafv2:us-east-1:/]],
  },
  {
    name: 'a WAF managed rule group in Count',
    apply: ({ world }) => void (onlyAcl(world).Rules!.find((x) => x.Name === 'aws-AWSManagedRulesCommonRuleSet')!.OverrideAction = { Count: {} }),
    undo: reset('wafv2'),
    expected: [['waf-rules', 'edge.waf-rules-block', /aws-AWSManagedRulesCommonRuleSet OverrideAction Count; expected None/]],
  },
  {
    name: 'WAF logging removed',
    apply: ({ world }) => wafState(world).logging.clear(),
    undo: reset('wafv2'),
    expected: [['waf-logging', 'edge.waf-logging', /^no logging configuration; expected logs to arn:aws:s3:::/]],
  },
  {
    name: 'a TLSv1 viewer policy',
    apply: ({ world }) => void (onlyDistribution(world).config.ViewerCertificate!.MinimumProtocolVersion = 'TLSv1'),
    undo: reset('cloudfront'),
    expected: [['cloudfront-https-only', 'edge.viewer-tls', /^MinimumProtocolVersion TLSv1, .*; expected MinimumProtocolVersion TLSv1\.2_2021/]],
  },
  {
    name: 'CloudFront sending an origin-verify value the host does not accept',
    apply: ({ edge }) => void (edge.state.originVerifyValue = `${edge.deployedOriginVerify}x`),
    undo: ({ edge }) => void (edge.state.originVerifyValue = edge.deployedOriginVerify),
    expected: [['edge-request-reaches-gateway', 'edge.request-reaches-gateway', /^HTTP 403 .*403 Forbidden.*\(x-cache Error from cloudfront\); expected HTTP 200 .* from the gateway/]],
  },
  // host, through the EC2 API
  {
    name: 'hop limit 2 on the gateway host',
    apply: ({ world }) => void (instanceOf(world, 'gateway').MetadataOptions!.HttpPutResponseHopLimit = 2),
    undo: reset('ec2'),
    expected: [['ec2-imdsv2-hop-limit-1', 'host.imdsv2-required', /HttpPutResponseHopLimit 2, HttpEndpoint enabled; expected HttpTokens required, HttpPutResponseHopLimit 1/]],
  },
  {
    name: 'a public IP associated with the gateway host',
    apply: ({ world }) => {
      const live = instanceOf(world, 'gateway');
      live.PublicIpAddress = '198.51.100.23';
      live.NetworkInterfaces![0]!.Association = { PublicIp: '198.51.100.23', IpOwnerId: world.account };
    },
    undo: reset('ec2'),
    expected: [['ec2-no-public-ip', 'host.no-public-ip', /^public IP 198\.51\.100\.23 on eni-\w+; expected no public IP/]],
  },
  {
    name: '0.0.0.0/0 ingress on port 22 (both a world ingress and a rule not rendered)',
    apply: ({ world }) => {
      const id = groupId(world, 'GatewaySecurityGroup');
      ec2State(world).rules.get(id)!.push({ SecurityGroupRuleId: 'sgr-0ssh', GroupId: id, IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' });
    },
    undo: reset('ec2'),
    expected: [
      ['sg-no-world-ingress', 'host.sg-no-world-ingress', /^ingress tcp 22 from 0\.0\.0\.0\/0 \(sgr-0ssh\); expected no ingress/],
      ['sg-rules-as-rendered', 'host.sg-rules-as-rendered', /^extra ingress tcp 22 from 0\.0\.0\.0\/0; expected exactly: /],
    ],
  },
  {
    name: "an egress rule removed from the gateway's security group",
    apply: ({ world }) => {
      const rules = ec2State(world).rules.get(groupId(world, 'GatewaySecurityGroup'))!;
      rules.splice(rules.findIndex((x) => x.IsEgress), 1);
    },
    undo: reset('ec2'),
    expected: [['sg-rules-as-rendered', 'host.sg-rules-as-rendered', /^missing egress tcp 443 to 0\.0\.0\.0\/0; expected exactly: /]],
  },
  // host, through the verification document
  {
    name: 'the metadata service answering without a token on the host',
    ...hostDrift((f) => ({ ...f, imds: { ...f.imds!, withoutToken: 200 } })),
    expected: [['ec2-imdsv2-hop-limit-1', 'host.imds-token-required', /GET without a token 200, .*; expected 401/]],
  },
  {
    name: 'the loaded ruleset differing from the rendered one',
    ...hostDrift((f) => ({ ...f, ruleset: { ...f.ruleset!, state: 'differing', diffHead: ['< \t\ttcp dport 18789 counter drop comment "gateway port: loopback only"'] } })),
    expected: [['host-firewall', 'host.nftables-ruleset', /differing \(rendered < > live\): < \t\ttcp dport 18789 counter drop/]],
  },
  {
    name: 'an agent file writable (its mount read-write)',
    ...hostDrift((f) => ({ ...f, agentFiles: { ...f.agentFiles!, mounts: f.agentFiles!.mounts.map((m) => (m.includes('/workspaces/ops/SOUL.md ') ? m.replace(' ro,', ' rw,') : m)) } })),
    expected: [['agent-files-read-only', 'host.agent-files-read-only', /mounted rw,nosuid,nodev,relatime in the gateway's mount namespace; expected a read-only mount \(ro\)$/]],
  },
  {
    name: 'the gateway listening on 0.0.0.0',
    ...hostDrift((f) => ({ ...f, listeners: { ...f.listeners!, addresses: ['0.0.0.0:18789'] } })),
    expected: [['gateway-loopback-only', 'host.gateway-loopback-only', /listening on 0\.0\.0\.0:18789; expected loopback only/]],
  },
  {
    name: 'the OpenClaw audit with a warn finding besides the known one',
    ...hostDrift((f) => ({ ...f, audit: { ...f.audit!, warn: 2, findings: [...f.audit!.findings!, { id: 'fs.config.perms_group_readable', severity: 'warn', detail: 'mode 640' }] } })),
    expected: [['openclaw-security-audit', 'host.openclaw-audit', /0 critical, 2 warn: .*fs\.config\.perms_group_readable: mode 640; expected 0 critical/]],
  },
  {
    name: 'a secret file of mode 0644',
    ...hostDrift((f) => ({ ...f, secretFiles: f.secretFiles!.map((l) => (l.includes('/gateway-token|') ? l.replace('|400|', '|644|') : l)) })),
    expected: [['secret-files', 'host.secret-files', /regular file openclaw-ops:openclaw-ops 644, \d+ bytes, 1 link\(s\); expected regular file openclaw-ops:openclaw-ops 400/]],
  },
  {
    name: 'a name off the allowlist resolving on the host',
    ...hostDrift((f) => ({ ...f, dns: { ...f.dns!, denied: { ...f.dns!.denied, resolves: true, address: '93.184.215.14' } } })),
    expected: [['egress-dns-firewall', 'host.egress-allowlist-dns', /name off the allowlist resolves \(93\.184\.215\.14\); expected no answer/]],
  },
  {
    name: 'the boot preflight failed',
    ...hostDrift((f) => ({ ...f, units: { ...f.units!, units: { ...f.units!.units, 'openclaw-imds-preflight.service': 'ActiveState=failed Result=exit-code ExecMainStatus=3 ' } } })),
    expected: [['boot-preflight', 'host.boot-units', /ActiveState=failed Result=exit-code ExecMainStatus=3; expected/]],
  },
  {
    name: 'the secrets retrieval failed on an empty agent secret',
    ...hostDrift((f) => ({ ...f, units: { ...f.units!, retrieval: 'openclaw-secrets: FAILED SecretEmpty: agent-ops: /telegram/botToken is empty' } })),
    expected: [['secrets-retrieved', 'host.secrets-retrieved', /last retrieval: openclaw-secrets: FAILED SecretEmpty: agent-ops/]],
  },
  {
    name: 'the origin answering 200 without the origin-verify header',
    ...hostDrift((f) => ({ ...f, origin: { ...f.origin!, status: 200 } })),
    expected: [['origin-verify-header', 'host.origin-verify-enforced', /HTTP 200 without the origin-verify header; expected HTTP 403/]],
  },
  {
    name: 'the egress proxy stopped',
    ...hostDrift((f) => ({ ...f, proxy: { ...f.proxy!, active: 'inactive' } })),
    expected: [['egress-proxy', 'host.egress-proxy', /^inactive; expected active$/]],
  },
  // secrets
  {
    name: 'an agent secret scheduled for deletion',
    apply: ({ world }) => void (secret(world, 'agents/ops').deletedDate = new Date('2026-12-01T00:00:00Z')),
    undo: reset('secretsManager'),
    expected: [['secret-cmk', 'secrets.secret-exists', /^scheduled for deletion \(DeletedDate 2026-12-01T00:00:00\.000Z\); expected no DeletedDate$/]],
  },
  {
    name: "a secret's resource policy deleted",
    apply: ({ world }) => void delete secret(world, 'agents/ops').policy,
    undo: reset('secretsManager'),
    expected: [['secret-value-access-restricted', 'secrets.resource-policy', /^no resource policy; expected the template's denies$/]],
  },
  {
    name: 'rotation disabled on the gateway token',
    apply: ({ world }) => void (secret(world, 'gateways/ops/token').rotationEnabled = false),
    undo: reset('secretsManager'),
    expected: [['secret-rotation', 'secrets.rotation', /^RotationEnabled false; expected true$/]],
  },
  // audit
  {
    name: 'the audit bucket locked in GOVERNANCE mode on prod',
    apply: ({ world }) => void (auditBucket(world, 'eu-west-1').objectLock!.rule!.Mode = 'GOVERNANCE'),
    undo: reset('s3'),
    expected: [['s3-object-locked', 'audit.object-lock', /^Object Lock GOVERNANCE 400 days; expected Object Lock COMPLIANCE 400 days$/]],
  },
  {
    name: "the audit bucket's policy deleted",
    apply: ({ world }) => void delete auditBucket(world, 'eu-west-1').policy,
    undo: reset('s3'),
    expected: [['s3-audit-tamper-denied', 'audit.bucket-policy', /^NoSuchBucketPolicy: the bucket has no policy; expected the template's denies$/]],
  },
  {
    name: 'a public access block setting off on a bucket',
    apply: ({ world }) => void ([...s3State(world).buckets.values()].find((b) => b.objectLock === undefined)!.publicAccessBlock!.RestrictPublicBuckets = false),
    undo: reset('s3'),
    expected: [['s3-private-tls-only', 'audit.public-access-block', /^RestrictPublicBuckets off; expected all four on$/]],
  },
  {
    name: 'the us-east-1 audit bucket (WAF logs) encrypted with SSE-S3',
    apply: ({ world }) => void (auditBucket(world, 'us-east-1').encryption = { SSEAlgorithm: 'AES256' }),
    undo: reset('s3'),
    expected: [['s3-audit-cmk', 'audit.bucket-encryption', /^AES256; expected aws:kms arn:aws:kms:us-east-1:/]],
  },
  {
    name: 'CloudTrail logging stopped',
    apply: ({ world }) => void ([...cloudTrailState(world).trails.values()][0]!.isLogging = false),
    undo: reset('cloudtrail'),
    expected: [['cloudtrail-delivering', 'audit.cloudtrail-delivering', /^IsLogging false; expected IsLogging true/]],
  },
  {
    name: 'the newest host logs export 2 days old',
    apply: ({ world }) => {
      const old = new Date(NOW.getTime() - 2 * DAY_MS);
      const day = old.toISOString().slice(0, 10).replace(/-/g, '/');
      auditBucket(world, 'eu-west-1').versions = [{ key: `cloudwatch-logs/${day}/${world.name}-log-archive-1-old`, versionId: 'v-old', lastModified: old }];
    },
    undo: reset('s3'),
    expected: [['host-logs-shipped', 'audit.host-logs-shipped', /^no export today or yesterday; expected an export within 12 min/]],
  },
  // alarms
  {
    name: 'the gateway-unhealthy alarm deleted (it has neither actions nor data)',
    apply: ({ world }) => void alarmDrift(world).set(`${world.name}-gateway-unhealthy`, { deleted: true }),
    undo: reset('cloudwatch.alarms'),
    expected: [
      ['alarm-actions', 'alarms.alarm-actions', /^no alarm of that name in CloudWatch; expected it with AlarmActions arn:aws:sns:eu-west-1:/],
      ['alarm-has-data', 'alarms.alarm-has-data', /^no alarm of that name in CloudWatch: it cannot have data$/],
    ],
  },
  {
    name: "the gateway-unhealthy alarm's actions disabled",
    apply: ({ world }) => void alarmDrift(world).set(`${world.name}-gateway-unhealthy`, { ActionsEnabled: false }),
    undo: reset('cloudwatch.alarms'),
    expected: [['alarm-actions', 'alarms.alarm-actions', /^ActionsEnabled false; expected true$/]],
  },
  {
    name: 'an alarm INSUFFICIENT_DATA for 2 days',
    apply: ({ world }) => {
      const at = new Date(NOW.getTime() - 2 * DAY_MS);
      alarmDrift(world).set(`${world.name}-gateway-unhealthy`, { StateValue: 'INSUFFICIENT_DATA', StateTransitionedTimestamp: at, StateUpdatedTimestamp: at });
    },
    undo: reset('cloudwatch.alarms'),
    expected: [['alarm-has-data', 'alarms.alarm-has-data', /^INSUFFICIENT_DATA for 2880 min .*; expected data within the warm-up/]],
  },
  {
    name: 'the alerts e-mail subscription unconfirmed',
    apply: ({ world }) => void subscriptionDrift(world).set(`arn:aws:sns:eu-west-1:${world.account}:${world.name}-alerts|email|oncall@example.com`, 'pending'),
    undo: reset('sns.subscriptions'),
    expected: [['alerts-subscribed', 'alarms.alerts-subscribed', /^PendingConfirmation; expected/]],
  },
  // spend
  {
    name: 'the daily budget deleted (and with it its 100 % signal to the kill switch)',
    apply: ({ world }) => void budgetDrift(world).set(`${world.name}-daily`, { deleted: true }),
    undo: reset('budgets.budgets'),
    expected: [
      ['budgets-present', 'spend.budgets-present', /^no budget of that name in account \d+; expected 5 USD DAILY COST$/],
      ['kill-switch-armed', 'spend.kill-switch-armed', /^NotFoundException: Unable to get budget: \S+-daily - the budget doesn't exist\./],
    ],
  },
  {
    name: 'the monthly budget raised to 500 USD',
    apply: ({ world }) => void budgetDrift(world).set(`${world.name}-monthly`, { limitAmount: '500.0' }),
    undo: reset('budgets.budgets'),
    expected: [['budgets-present', 'spend.budgets-present', /^limit 500 USD MONTHLY COST; expected 60 USD MONTHLY COST$/]],
  },
  {
    name: 'the cost allocation tag inactive',
    apply: ({ world }) => void costTagDrift(world).set('openclaw:deployment', 'Inactive'),
    undo: reset('ce.tags'),
    expected: [['cost-tag-active', 'spend.cost-tag-active', /^Inactive \(UserDefined, .*\); expected Active/]],
  },
  {
    name: 'the kill switch throttled to concurrency 0',
    apply: ({ world }) => void functionDrift(world).set(`${world.name}-kill-switch`, { reservedConcurrency: 0 }),
    undo: reset('lambda.functions'),
    expected: [['kill-switch-armed', 'spend.kill-switch-armed', /^ReservedConcurrentExecutions 0; expected not 0/]],
  },
];
