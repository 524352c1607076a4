import * as fs from 'fs';
import * as path from 'path';
import { describeExceptions } from '../config/exceptions';
import type { DeploymentGateResult } from '../gate/evaluate';
import { formatFinding } from '../gate/finding';
import { GATE_PLUGIN_NAMES } from '../gate/plugins';
import { viewerTlsInForce } from '../edge/viewer-tls';
import { organizationGaps } from '../access/organization-gaps';
import { egressReportLines } from '../network/egress-report';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ids = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '-');

/** Renders the compliance report of one client x environment as Markdown. */
export function renderComplianceReport(result: DeploymentGateResult, generatedAt: Date): string {
  const { config } = result;
  const passed = result.findings.length === 0;
  const lines: string[] = [
    `# Compliance report: ${config.client} / ${config.env}`,
    '',
    `- Gate: **${passed ? 'PASSED' : `FAILED (${result.findings.length} unacknowledged finding${result.findings.length === 1 ? '' : 's'})`}**`,
    `- Account / region: ${config.aws.account} / ${config.aws.region}`,
    `- Stacks: ${result.templates.map((t) => `${t.stackName} (${path.basename(t.templateFile)})`).join(', ')}`,
    `- Rule packs: ${GATE_PLUGIN_NAMES.join('; ')}`,
    ...viewerTlsInForce(result.templates).map((v) => `- Viewer TLS policy in force: **${v.policy}** (${v.basis}; \`${v.distribution}\`)`),
    `- Generated: ${generatedAt.toISOString()}`,
    '',
  ];
  if (!passed) {
    lines.push('## Unacknowledged findings', '', ...result.findings.map((f) => `- ${formatFinding(f)}`), '');
  }
  lines.push(
    '## Controls present in this deployment',
    '',
    'Each control is checked on the synthesized templates; FSBP = AWS Foundational Security Best Practices, ' +
      'CIS = CIS AWS Foundations Benchmark v3.0.0, CT = AWS Control Tower proactive controls.',
    '',
    '| Control | Status | FSBP | CIS | CT | Evidence | Resources |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.controls.map(
      (c) =>
        `| ${cell(c.control.title)} (\`${c.control.id}\`) | ${c.status} | ${ids(c.control.fsbp)} | ${ids(c.control.cis)} | ` +
        `${ids(c.control.controlTower)} | ${cell(c.control.evidence)} | ${c.resources.map((r) => `\`${r.id}\``).join(', ')} |`,
    ),
    '',
  );
  // The host's egress (proxy, firewall, DNS Firewall) comes with the network stack's DNS Firewall.
  const hasEgressAllowlist = result.templates.some((t) =>
    Object.values(t.template.Resources ?? {}).some((r) => r.Type === 'AWS::Route53Resolver::FirewallRuleGroupAssociation'),
  );
  if (hasEgressAllowlist) lines.push(...egressReportLines(config));
  const gaps = organizationGaps(result.templates);
  if (gaps.length > 0) {
    lines.push('## Gaps only an organization can close', '', '| Gap | What stays open | Closed by |', '| --- | --- | --- |');
    for (const g of gaps) lines.push(`| \`${g.id}\` | ${cell(g.gap)} | ${cell(g.closedBy)} |`);
    lines.push('');
  }
  lines.push(
    '## Acknowledged findings',
    '',
  );
  if (result.acknowledgements.length === 0) lines.push('None: every rule pack passes on every resource.', '');
  else {
    lines.push('| Rule | Resource | Reason |', '| --- | --- | --- |');
    for (const a of result.acknowledgements) lines.push(`| ${cell(a.rule)} | \`${a.path}\` | ${cell(a.reason)} |`);
    lines.push('');
  }
  lines.push('## Acknowledged CDK warnings', '');
  if (result.warningAcknowledgements.length === 0) lines.push('None: synthesis raised no CDK warning.', '');
  else {
    lines.push('| Warning | Construct | Reason |', '| --- | --- | --- |');
    for (const w of result.warningAcknowledgements) lines.push(`| ${cell(w.id)} | \`${w.path}\` | ${cell(w.reason)} |`);
    lines.push('');
  }
  if (result.libraryAcknowledgements.length > 0) {
    lines.push('### Acknowledged by aws-cdk-lib on its own constructs', '', '| Rule | Construct | Reason |', '| --- | --- | --- |');
    for (const a of result.libraryAcknowledgements) lines.push(`| ${cell(a.rule)} | \`${a.path}\` | ${cell(a.reason)} |`);
    lines.push('');
  }
  lines.push('## Config exceptions', '');
  const exceptions = describeExceptions(config);
  if (exceptions.length === 0) lines.push('None: every hardened default is in force.', '');
  else {
    lines.push('| Control | Setting | Reason | Approved by | Expires |', '| --- | --- | --- | --- | --- |');
    for (const e of exceptions) {
      lines.push(`| ${cell(e.title)} (\`${e.control}\`) | \`${e.path}\` | ${cell(e.reason)} | ${cell(e.approvedBy)} | ${e.expires} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes `<outdir>/compliance-<client>-<env>.md` and returns its path. */
export function writeComplianceReport(outdir: string, result: DeploymentGateResult, generatedAt: Date): string {
  const file = path.join(outdir, `compliance-${result.config.client}-${result.config.env}.md`);
  fs.writeFileSync(file, renderComplianceReport(result, generatedAt));
  return file;
}
