import { type App, type Stage } from 'aws-cdk-lib';
import type { ResolvedConfig } from '../config/schema';
import { HARDENED_CONTROLS } from '../config/hardened-controls';
import { CONTROL_CATALOGUE } from '../compliance/catalogue';
import { evaluateControls, type ControlResult, type SynthesizedTemplate } from '../compliance/evaluate';
import { collectAcknowledgements, collectWarningAcknowledgements, type Acknowledgement, type AckLedger, type WarningAcknowledgement } from './ack-ledger';
import type { GateFinding } from './finding';
import { readValidationReport, type PluginReport, type ReportedResource } from './validation-report';

export const VALIDATE_AGAINST_DEFAULT_RULES = '@aws-cdk/core:validateAgainstDefaultRules';

/** One client x environment as the gate saw it. */
export interface DeploymentGateResult {
  readonly config: ResolvedConfig;
  readonly stagePath: string;
  readonly templates: readonly SynthesizedTemplate[];
  readonly findings: readonly GateFinding[];
  readonly acknowledgements: readonly Acknowledgement[];
  /** CDK warnings acknowledged with a reason (acknowledgeWarning). */
  readonly warningAcknowledgements: readonly WarningAcknowledgement[];
  /** Acknowledgements aws-cdk-lib made on its own constructs. */
  readonly libraryAcknowledgements: readonly Acknowledgement[];
  readonly controls: readonly ControlResult[];
}

export interface GateInput {
  readonly app: App;
  readonly ledger: AckLedger;
  readonly deployments: readonly { readonly config: ResolvedConfig; readonly stage: Stage }[];
}

/** CDK writes constructPath '' for a violation it cannot place in the construct tree (a logical ID no construct has). */
const resourceLabel = (r: ReportedResource) =>
  r.constructPath || `${r.cloudFormationResource?.templatePath || '?'}#${r.cloudFormationResource?.logicalId || '?'}`;

/**
 * A violation belongs to the stage holding its construct (a CloudFormation
 * resource, so always below one of the stage's stacks); one without a construct
 * path to the stage whose cloud assembly (`<artifactId>/`, e.g. `assembly-example-dev/`)
 * holds its template; one without either to every stage.
 */
function belongsTo(stage: Stage, r: ReportedResource): boolean {
  if (r.constructPath) return r.constructPath.startsWith(`${stage.node.path}/`);
  const template = r.cloudFormationResource?.templatePath;
  return template ? template.startsWith(`${stage.artifactId}/`) : true;
}

/** Findings that hold for the whole app: the gate itself weakened or not run. */
function preconditionFindings(app: App, reports: readonly PluginReport[] | undefined): GateFinding[] {
  const findings: GateFinding[] = [];
  const gate = (rule: string, message: string) => findings.push({ source: 'gate', rule, resource: '(app)', message });
  if (process.env.CDK_VALIDATION === 'false') {
    gate('validation-disabled', 'CDK_VALIDATION=false switches off CloudFormation validation; unset it, the gate cannot be bypassed');
  }
  if (app.node.tryGetContext(VALIDATE_AGAINST_DEFAULT_RULES) !== true) {
    gate('default-rules-as-warnings', `context ${VALIDATE_AGAINST_DEFAULT_RULES} must be true so CloudFormation validation findings are errors`);
  }
  if (reports === undefined) {
    gate('validation-did-not-run', 'synthesis wrote no validation report, so the rule packs did not run');
  }
  return findings;
}

/**
 * The "Construct Annotations" entry (@aws-cdk/core:annotationsInValidationReport)
 * repeats the warnings the gate reads from the assembly itself (cdkWarningFindings).
 */
const CONSTRUCT_ANNOTATIONS_REPORT = 'Construct Annotations';

function violationFindings(stage: Stage, reports: readonly PluginReport[]): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const report of reports) {
    if (report.pluginName === CONSTRUCT_ANNOTATIONS_REPORT) continue;
    const violations = report.violations;
    // A plugin that threw: CDK writes it as a failure without violations, the error in its metadata.
    if (report.conclusion === 'failure' && violations.length === 0) {
      findings.push({ source: report.pluginName, rule: 'plugin-failed', resource: '(app)', message: JSON.stringify(report.metadata ?? {}) });
    }
    // Every violation counts, whatever its severity: cfn-guard findings carry none.
    for (const v of violations) {
      for (const r of v.violatingConstructs) {
        if (!belongsTo(stage, r)) continue;
        findings.push({
          source: report.pluginName,
          rule: v.ruleName,
          resource: resourceLabel(r),
          message: (v.description ?? '(the rule pack gave no description)').split('\n')[0]!,
          fix: v.suggestedFix,
        });
      }
    }
  }
  return findings;
}

function acknowledgementFindings(acks: readonly Acknowledgement[]): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const ack of acks) {
    if (!ack.onSingleResource) {
      findings.push({
        source: 'gate',
        rule: 'acknowledgement-scope',
        resource: ack.path,
        message: `${ack.rule} is acknowledged on a construct that is not a single CloudFormation resource; use acknowledgeFinding() on the resource`,
      });
    }
  }
  return findings;
}

function staleFindings(acks: readonly Acknowledgement[], ledger: AckLedger, reports: readonly PluginReport[]): GateFinding[] {
  const used = new Set<string>();
  for (const report of reports) {
    for (const v of report.suppressedViolations ?? []) {
      used.add(`${v.acknowledgedAt}|${v.acknowledgedId}`);
    }
  }
  return acks
    .filter((a) => !ledger.isUsed(a) && !used.has(`${a.path}|${a.rule}`))
    .map((a) => ({
      source: 'gate',
      rule: 'stale-acknowledgement',
      resource: a.path,
      message: `${a.rule} is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement`,
    }));
}

function controlFindings(controls: readonly ControlResult[]): GateFinding[] {
  return controls
    .filter((c) => c.status === 'fails')
    .flatMap((c) =>
      c.resources
        .filter((r) => !r.holds)
        .map((r) => ({ source: 'compliance catalogue', rule: c.control.id, resource: r.id, message: `${c.control.title}: ${c.control.evidence}` })),
    );
}

/**
 * Every CDK warning left in the stage's cloud assembly (`aws:cdk:warning`
 * metadata, what `cdk synth` prints): each is fixed, or acknowledged with a
 * reason by acknowledgeWarning(), which removes it from the assembly.
 */
function cdkWarningFindings(stage: Stage): GateFinding[] {
  return stage.synth().artifacts.flatMap((artifact) =>
    artifact.messages
      .filter((m) => m.level === 'warning')
      .map((m) => ({
        source: 'cdk',
        rule: 'cdk-warning',
        resource: m.id.replace(/^\//, ''),
        message: `${String(m.entry.data).split('\n')[0]}; fix it, or acknowledge it on that construct with acknowledgeWarning(construct, id, reason)`,
      })),
  );
}

/** A synth-time lookup means the deployment depends on an AWS account at synth: refuse it. */
function lookupFindings(stage: Stage): GateFinding[] {
  return (stage.synth().manifest.missing ?? []).map((m) => ({
    source: 'gate',
    rule: 'synth-time-lookup',
    resource: stage.node.path,
    message: `synth needs the context value "${m.key}" (${m.provider} lookup); name it in config instead, synth must work with no AWS account`,
  }));
}

function templatesOf(stage: Stage): SynthesizedTemplate[] {
  return stage.synth().stacks.map((s) => ({ stackName: s.stackName, templateFile: s.templateFullPath, template: s.template }));
}

/** Evaluates the synthesized app, deployment by deployment. */
export function evaluateGate(input: GateInput): DeploymentGateResult[] {
  const reports = readValidationReport(input.app.outdir);
  const appFindings = preconditionFindings(input.app, reports);
  const pluginReports = reports ?? [];
  // aws-cdk-lib acknowledges some CloudFormation-validation rules on its own
  // constructs (e.g. W3010 on stacks); those are listed in the report, not policed.
  const allAcks = collectAcknowledgements(input.app).filter((a) => a.madeBy === 'blueprint');
  const libraryAcks = collectAcknowledgements(input.app).filter((a) => a.madeBy === 'aws-cdk-lib');
  const inStage = (stage: Stage, p: string) => p === stage.node.path || p.startsWith(`${stage.node.path}/`);
  // An acknowledgement outside every deployment (on the app itself) covers no single resource.
  appFindings.push(...acknowledgementFindings(allAcks.filter((a) => !input.deployments.some((d) => inStage(d.stage, a.path)))));
  return input.deployments.map(({ config, stage }) => {
    const acks = allAcks.filter((a) => inStage(stage, a.path));
    const templates = templatesOf(stage);
    const weakened = new Set(HARDENED_CONTROLS.filter((c) => c.isWeakened(config)).map((c) => c.id));
    const controls = evaluateControls(CONTROL_CATALOGUE, templates, weakened);
    const findings = [
      ...appFindings,
      ...violationFindings(stage, pluginReports),
      ...acknowledgementFindings(acks),
      ...staleFindings(acks, input.ledger, pluginReports),
      ...controlFindings(controls),
      ...lookupFindings(stage),
      ...cdkWarningFindings(stage),
    ];
    const libraryAcknowledgements = libraryAcks.filter((a) => inStage(stage, a.path));
    const warningAcknowledgements = collectWarningAcknowledgements(stage);
    return { config, stagePath: stage.node.path, templates, findings, acknowledgements: acks, warningAcknowledgements, libraryAcknowledgements, controls };
  });
}
