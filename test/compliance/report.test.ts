import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ComplianceControl } from '../../lib/compliance/control';
import { renderComplianceReport, writeComplianceReport } from '../../lib/compliance/report';
import type { ResolvedConfig } from '../../lib/config/schema';
import type { DeploymentGateResult } from '../../lib/gate/evaluate';
import { GATE_PLUGIN_NAMES } from '../../lib/gate/plugins';
import { egressReportLines } from '../../lib/network/egress-report';
import { exampleConfig } from '../host/support/host-tools';

// The compliance report rendered from a small gate result, pinned line by line.
const GENERATED = new Date('2026-03-04T05:06:07.000Z');
const RULE_PACKS = `- Rule packs: ${GATE_PLUGIN_NAMES.join('; ')}`;

const control = (id: string, over: Partial<ComplianceControl> = {}): ComplianceControl => ({
  id,
  title: `Title of ${id}`,
  resourceType: 'AWS::S3::Bucket',
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence: `Evidence of ${id}.`,
  holds: () => true,
  ...over,
});

const config = (exceptions: unknown[] = []) =>
  ({ client: 'acme', env: 'prod', aws: { account: '111122223333', region: 'eu-west-1' }, exceptions }) as unknown as ResolvedConfig;

const result = (over: Partial<DeploymentGateResult> = {}): DeploymentGateResult => ({
  config: config(),
  stagePath: 'acme-prod',
  templates: [
    { stackName: 'acme-prod-core', templateFile: '/out/assembly-acme-prod/acmeprodcore.template.json', template: { Resources: {} } },
    {
      stackName: 'acme-prod-edge',
      templateFile: '/out/assembly-acme-prod/acmeprodedge.template.json',
      template: { Resources: { Cdn: { Type: 'AWS::CloudFront::Distribution', Properties: { DistributionConfig: {} } } } },
    },
  ],
  findings: [],
  acknowledgements: [],
  warningAcknowledgements: [],
  libraryAcknowledgements: [],
  controls: [],
  ...over,
});

const HEAD = (gate: string) => [
  '# Compliance report: acme / prod',
  '',
  `- Gate: **${gate}**`,
  '- Account / region: 111122223333 / eu-west-1',
  '- Stacks: acme-prod-core (acmeprodcore.template.json), acme-prod-edge (acmeprodedge.template.json)',
  RULE_PACKS,
  '- Viewer TLS policy in force: **TLSv1** (CloudFront default *.cloudfront.net certificate, whose security policy AWS fixes at TLSv1; `acme-prod-edge/Cdn`)',
  '- Generated: 2026-03-04T05:06:07.000Z',
  '',
];
const CONTROLS_HEAD = [
  '## Controls present in this deployment',
  '',
  'Each control is checked on the synthesized templates; FSBP = AWS Foundational Security Best Practices, CIS = CIS AWS Foundations Benchmark v3.0.0, CT = AWS Control Tower proactive controls.',
  '',
  '| Control | Status | FSBP | CIS | CT | Evidence | Resources |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];
const NO_ACKS = [
  '## Acknowledged findings',
  '',
  'None: every rule pack passes on every resource.',
  '',
  '## Acknowledged CDK warnings',
  '',
  'None: synthesis raised no CDK warning.',
  '',
];
const NO_EXCEPTIONS = ['## Config exceptions', '', 'None: every hardened default is in force.', ''];

test('a passing deployment with nothing acknowledged and no exception: every section says None', () => {
  expect(renderComplianceReport(result(), GENERATED).split('\n')).toEqual([...HEAD('PASSED'), ...CONTROLS_HEAD, '', ...NO_ACKS, ...NO_EXCEPTIONS]);
});

test('the controls table lists each control with its status, framework references (or -), escaped evidence and resources', () => {
  const controls: DeploymentGateResult['controls'] = [
    {
      control: control('c-one', { title: 'Pipes | and || in a title', fsbp: ['S3.5', 'S3.8'], cis: ['2.1.1'], controlTower: ['CT.S3.PR.1', 'CT.S3.PR.8'], evidence: 'Line one\nline two\nline three | x | y' }),
      resources: [
        { id: 'acme-prod-core/B1', holds: true },
        { id: 'acme-prod-core/B2', holds: true },
      ],
      status: 'holds',
    },
    { control: control('c-two'), resources: [{ id: 'acme-prod-core/K', holds: false }], status: 'weakened' },
  ];
  expect(renderComplianceReport(result({ controls }), GENERATED).split('\n')).toEqual([
    ...HEAD('PASSED'),
    ...CONTROLS_HEAD,
    '| Pipes \\| and \\|\\| in a title (`c-one`) | holds | S3.5, S3.8 | 2.1.1 | CT.S3.PR.1, CT.S3.PR.8 | Line one line two line three \\| x \\| y | `acme-prod-core/B1`, `acme-prod-core/B2` |',
    '| Title of c-two (`c-two`) | weakened | - | - | - | Evidence of c-two. | `acme-prod-core/K` |',
    '',
    ...NO_ACKS,
    ...NO_EXCEPTIONS,
  ]);
});

test('one unacknowledged finding: the gate FAILED (1 unacknowledged finding) and the finding is listed with its fix', () => {
  const findings = [{ source: 'AwsSolutions', rule: 'AwsSolutions-S1', resource: 'acme-prod/Core/Bucket', message: 'no access logs', fix: 'enable server access logging' }];
  expect(renderComplianceReport(result({ findings }), GENERATED).split('\n')).toEqual([
    ...HEAD('FAILED (1 unacknowledged finding)'),
    '## Unacknowledged findings',
    '',
    '- [AwsSolutions] AwsSolutions-S1 at acme-prod/Core/Bucket: no access logs',
    '      fix: enable server access logging',
    '',
    ...CONTROLS_HEAD,
    '',
    ...NO_ACKS,
    ...NO_EXCEPTIONS,
  ]);
});

test('two findings are counted in the plural; acknowledgements, CDK warnings, library acknowledgements and exceptions are tabulated', () => {
  const findings = [
    { source: 'gate', rule: 'r1', resource: '(app)', message: 'm1' },
    { source: 'cfn-guard', rule: 'r2', resource: 'acme-prod/Edge/Cdn', message: 'm2' },
  ];
  const ack = (rule: string, p: string, reason: string, madeBy: 'blueprint' | 'aws-cdk-lib' = 'blueprint') => ({ rule, path: p, reason, onSingleResource: true, madeBy });
  const report = renderComplianceReport(
    result({
      config: config([
        { control: 'data-retention', reason: 'Test account, | torn down\nnightly', approvedBy: 'sec|team', expires: '2026-12-31' },
      ]),
      findings,
      acknowledgements: [ack('AwsSolutions-IAM5', 'acme-prod/Gateway/Role', 'Scoped | to one\nprefix'), ack('NIST.800.53.R5-S3BucketReplicationEnabled', 'acme-prod/Core/Audit', 'Single region')],
      warningAcknowledgements: [{ id: '@aws-cdk/x:warn|id', path: 'acme-prod/Edge/Cdn', reason: 'Default\ncertificate' }],
      libraryAcknowledgements: [ack('AwsSolutions-L1', 'acme-prod/Spend/Fn', 'Latest | runtime', 'aws-cdk-lib')],
    }),
    GENERATED,
  );
  expect(report.split('\n')).toEqual([
    ...HEAD('FAILED (2 unacknowledged findings)'),
    '## Unacknowledged findings',
    '',
    '- [gate] r1 at (app): m1',
    '- [cfn-guard] r2 at acme-prod/Edge/Cdn: m2',
    '',
    ...CONTROLS_HEAD,
    '',
    '## Acknowledged findings',
    '',
    '| Rule | Resource | Reason |',
    '| --- | --- | --- |',
    '| AwsSolutions-IAM5 | `acme-prod/Gateway/Role` | Scoped \\| to one prefix |',
    '| NIST.800.53.R5-S3BucketReplicationEnabled | `acme-prod/Core/Audit` | Single region |',
    '',
    '## Acknowledged CDK warnings',
    '',
    '| Warning | Construct | Reason |',
    '| --- | --- | --- |',
    '| @aws-cdk/x:warn\\|id | `acme-prod/Edge/Cdn` | Default certificate |',
    '',
    '### Acknowledged by aws-cdk-lib on its own constructs',
    '',
    '| Rule | Construct | Reason |',
    '| --- | --- | --- |',
    '| AwsSolutions-L1 | `acme-prod/Spend/Fn` | Latest \\| runtime |',
    '',
    '## Config exceptions',
    '',
    '| Control | Setting | Reason | Approved by | Expires |',
    '| --- | --- | --- | --- | --- |',
    '| Keys, secrets and log data are retained when a stack is deleted (`data-retention`) | `dataProtection.retainOnDelete` | Test account, \\| torn down nightly | sec\\|team | 2026-12-31 |',
    '',
  ]);
});

test('a pipe in the rule of an acknowledgement is escaped too', () => {
  const report = renderComplianceReport(
    result({
      acknowledgements: [{ rule: 'a|b', path: 'p', reason: 'r', onSingleResource: true, madeBy: 'blueprint' }],
      libraryAcknowledgements: [{ rule: 'c|d', path: 'q', reason: 's', onSingleResource: false, madeBy: 'aws-cdk-lib' }],
    }),
    GENERATED,
  );
  expect(report).toContain('\n| a\\|b | `p` | r |\n');
  expect(report).toContain('\n| c\\|d | `q` | s |\n');
});

test('writeComplianceReport writes compliance-<client>-<env>.md in the out dir and returns its path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compliance-report-'));
  try {
    const file = writeComplianceReport(dir, result(), GENERATED);
    expect(file).toBe(path.join(dir, 'compliance-acme-prod.md'));
    expect(fs.readFileSync(file, 'utf8')).toBe(renderComplianceReport(result(), GENERATED));
    expect(fs.readdirSync(dir)).toEqual(['compliance-acme-prod.md']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a deployment with the DNS Firewall gets the "Egress, as enforced" section after the controls, rendered from its config', () => {
  const example = exampleConfig('prod');
  const withFirewall = result({
    config: { ...example, client: 'acme', env: 'prod', aws: { account: '111122223333', region: 'eu-west-1' }, exceptions: [] } as ResolvedConfig,
    templates: [
      {
        stackName: 'acme-prod-network',
        templateFile: '/out/assembly-acme-prod/acmeprodnetwork.template.json',
        template: { Resources: { Assoc: { Type: 'AWS::Route53Resolver::FirewallRuleGroupAssociation', Properties: {} } } },
      },
    ],
  });
  const lines = renderComplianceReport(withFirewall, GENERATED).split('\n');
  const egress = egressReportLines(withFirewall.config);
  const at = lines.indexOf('## Egress, as enforced');
  expect(lines.slice(at, at + egress.length)).toEqual(egress);
  expect(at).toBeGreaterThan(lines.indexOf('## Controls present in this deployment'));
  expect(at).toBeLessThan(lines.indexOf('## Acknowledged findings'));
  // Without the DNS Firewall (no network stack in the selection), no egress claims.
  expect(renderComplianceReport(result(), GENERATED)).not.toContain('## Egress, as enforced');
});
