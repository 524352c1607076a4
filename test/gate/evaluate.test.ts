import * as fs from 'fs';
import * as path from 'path';
import {
  Annotations,
  App,
  CfnResource,
  Stack,
  Stage,
  Validations,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
} from 'aws-cdk-lib';
import { loadConfig } from '../../lib/config/load';
import type { ResolvedConfig } from '../../lib/config/schema';
import { AckLedger } from '../../lib/gate/ack-ledger';
import { acknowledgeFinding, acknowledgeWarning } from '../../lib/gate/acknowledge';
import { evaluateGate, VALIDATE_AGAINST_DEFAULT_RULES, type DeploymentGateResult } from '../../lib/gate/evaluate';
import type { GateFinding } from '../../lib/gate/finding';
import { CONFIG_DIR, NOW } from '../support/config-fixture';
import { tempDirsRemovedAfterAll } from '../support/temp-dirs';

/** Temporary output folders, removed after the tests (mutation testing runs them many times). */
const tempDir = tempDirsRemovedAfterAll();

// evaluateGate on bare stages: CDK itself runs a small rule pack (a validation
// plugin like cdk-nag's and cfn-guard's) and writes validation-report.json;
// the gate reads it together with the construct tree and the cloud assembly.
// CloudFormation's own template validation is off (seconds per synth; the gate
// only reads its report like any other plugin's).

const ENV = { account: '123456789012', region: 'eu-west-1' };
const REASON = 'A reason long enough for a reviewer to judge it here.';
const GATE_CONTEXT = {
  [VALIDATE_AGAINST_DEFAULT_RULES]: true,
  '@aws-cdk/core:failSynthOnValidationErrors': false,
  '@aws-cdk/core:annotationsInValidationReport': true,
};

/** What the fake pack reports: a rule on a logical ID, in every template holding it (or in templates under `onlyIn`, whether there or not). */
interface Reported {
  readonly rule: string;
  readonly logicalId: string;
  readonly description?: string;
  /** Leave the description out, as a plugin not written in TypeScript may (CDK copies it as given). */
  readonly noDescription?: boolean;
  readonly fix?: string;
  readonly onlyIn?: string;
  /** Reported as the resource's template path instead of the real one. */
  readonly templatePath?: string;
  /** The construct path the pack names itself (CDK then does not look it up from the template). */
  readonly constructPath?: string;
}

/** A rule pack as CDK runs it: reads the synthesized templates, reports violations by logical ID (or throws). */
class FakePack implements IPolicyValidationPluginBeta1 {
  constructor(
    readonly name: string,
    private readonly reported: readonly Reported[] | Error | 'fails without violations',
  ) {}

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    if (this.reported instanceof Error) throw this.reported;
    if (typeof this.reported === 'string') return { success: false, violations: [] };
    const violations = this.reported.flatMap((r) => {
      const templates = context.templatePaths.filter((t) =>
        r.onlyIn ? t.includes(r.onlyIn) : Boolean((JSON.parse(fs.readFileSync(t, 'utf8')) as { Resources?: Record<string, unknown> }).Resources?.[r.logicalId]),
      );
      if (templates.length === 0) return [];
      return [
        {
          ruleName: r.rule,
          description: r.noDescription ? (undefined as unknown as string) : (r.description ?? `${r.rule} description`),
          fix: r.fix,
          severity: 'error',
          violatingResources: templates.map((templatePath) => ({ resourceLogicalId: r.logicalId, templatePath: r.templatePath ?? templatePath, constructPath: r.constructPath, locations: [] })),
        },
      ];
    });
    return { success: violations.length === 0, violations };
  }
}

const config: ResolvedConfig = loadConfig({ configDir: CONFIG_DIR, client: 'example', env: 'dev', now: NOW }).config;
const newApp = (context: Record<string, unknown> = GATE_CONTEXT) =>
  new App({ outdir: tempDir('gate-evaluate-'), builtinCloudFormationValidation: false, context });

describe('one synth of two deployments with every kind of finding', () => {
  let results: DeploymentGateResult[];
  let one: Stage;

  const build = (cfg: ResolvedConfig): DeploymentGateResult[] => {
    const app = newApp();
    one = new Stage(app, 'one', { env: ENV });
    const two = new Stage(app, 'one2', { env: ENV });
    const core = new Stack(one, 'Core');
    const topic = new CfnResource(core, 'Topic', { type: 'AWS::SNS::Topic' });
    acknowledgeFinding(topic, 'fake-pack::rule-b', REASON); // suppressed by CDK: used
    acknowledgeFinding(topic, 'fake-pack::rule-c', REASON); // never reported: stale
    acknowledgeFinding(topic, 'AwsSolutions-SNS3', REASON); // marked in the ledger below: used
    acknowledgeFinding(topic, 'AwsSolutions-SNS2', REASON); // not marked: stale
    acknowledgeFinding(topic, 'quiet-pack::only-rule', REASON); // suppressed by CDK: used
    Validations.of(core).acknowledge({ id: 'AwsSolutions-IAM4', reason: REASON }); // a whole stack
    Validations.of(app).acknowledge({ id: 'AwsSolutions-IAM5', reason: REASON }); // the whole app
    Validations.of(one).acknowledge({ id: 'AwsSolutions-S1', reason: REASON }); // a whole deployment
    void core.availabilityZones; // a synth-time lookup; aws-cdk-lib acknowledges W3010 on the stack
    Annotations.of(topic).addWarningV2('@aws-cdk/test:unfixed', 'first line of the warning\nsecond line');
    Annotations.of(topic).addWarningV2('@aws-cdk/test:accepted', 'an accepted warning');
    Annotations.of(topic).addInfo('an info message, not a warning');
    acknowledgeWarning(topic, '@aws-cdk/test:accepted', REASON);
    new CfnResource(core, 'Volume', { type: 'AWS::EC2::Volume', properties: { AvailabilityZone: 'eu-west-1a', Size: 1 } });
    new CfnResource(core, 'OpenSg', {
      type: 'AWS::EC2::SecurityGroup',
      properties: { GroupDescription: 'open', SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' }] },
    });
    new CfnResource(core, 'ClosedSg', { type: 'AWS::EC2::SecurityGroup', properties: { GroupDescription: 'closed' } });
    new CfnResource(new Stack(two, 'Core'), 'Topic', { type: 'AWS::SNS::Topic' });
    Validations.of(app).addPlugins(
      new FakePack('fake-pack', [
        { rule: 'rule-a', logicalId: 'Topic', description: 'Topic is bad\nmore detail', fix: 'make it good' },
        { rule: 'rule-b', logicalId: 'Topic' },
        { rule: 'rule-g', logicalId: 'Ghost', onlyIn: 'assembly-one/' },
        { rule: 'rule-h', logicalId: '', onlyIn: 'assembly-one/', templatePath: '' },
      ]),
      new FakePack('broken-pack', new Error('the pack broke')),
      new FakePack('quiet-pack', [{ rule: 'only-rule', logicalId: 'Topic', onlyIn: 'assembly-one/' }]),
      new FakePack('failing-pack', 'fails without violations'),
    );
    app.synth();
    const ledger = new AckLedger();
    ledger.markUsed('one/Core/Topic/', 'AwsSolutions-SNS3');
    ledger.markUsed('one/Core/Topic', 'AwsSolutions-SNS3');
    return evaluateGate({ app, ledger, deployments: [{ config: cfg, stage: one }, { config: cfg, stage: two }] });
  };

  beforeAll(() => {
    results = build(config);
  });

  const bySource = (r: DeploymentGateResult, source: string) => r.findings.filter((f) => f.source === source);

  test('each deployment is reported with its config and stage path, in order', () => {
    expect(results.map((r) => [r.config, r.stagePath])).toEqual([
      [config, 'one'],
      [config, 'one2'],
    ]);
  });

  test('findings come in a fixed order: app, rule packs, acknowledgements, stale, controls, lookups, warnings', () => {
    expect(results[0]!.findings.map((f) => `${f.source} ${f.rule}`)).toEqual([
      'gate acknowledgement-scope',
      'fake-pack rule-a',
      'fake-pack rule-g',
      'fake-pack rule-h',
      'broken-pack plugin-failed',
      'failing-pack plugin-failed',
      'gate acknowledgement-scope',
      'gate acknowledgement-scope',
      'gate stale-acknowledgement',
      'gate stale-acknowledgement',
      'gate stale-acknowledgement',
      'gate stale-acknowledgement',
      'compliance catalogue ebs-state-volume-protected',
      'compliance catalogue sg-no-world-ingress',
      'gate synth-time-lookup',
      'cdk cdk-warning',
    ]);
  });

  test('a rule pack\'s violation names the pack, rule, construct path, first line of its description and its fix; only in its own deployment', () => {
    expect(bySource(results[0]!, 'fake-pack')[0]).toEqual<GateFinding>({ source: 'fake-pack', rule: 'rule-a', resource: 'one/Core/Topic', message: 'Topic is bad', fix: 'make it good' });
    expect(bySource(results[1]!, 'fake-pack').slice(0, 2)).toEqual<GateFinding[]>([
      { source: 'fake-pack', rule: 'rule-a', resource: 'one2/Core/Topic', message: 'Topic is bad', fix: 'make it good' },
      // acknowledged on one/Core/Topic only: CDK suppresses it there, not here
      { source: 'fake-pack', rule: 'rule-b', resource: 'one2/Core/Topic', message: 'rule-b description', fix: undefined },
    ]);
  });

  test('a violation CDK places on no construct is labelled template#logicalId and kept in the deployment whose assembly holds the template', () => {
    expect(bySource(results[0]!, 'fake-pack')[1]).toEqual<GateFinding>({
      source: 'fake-pack',
      rule: 'rule-g',
      resource: expect.stringMatching(/^assembly-one\/oneCore[0-9A-F]{8}\.template\.json#Ghost$/) as string,
      message: 'rule-g description',
      fix: undefined,
    });
    expect(results[1]!.findings.filter((f) => f.rule === 'rule-g')).toEqual([]);
  });

  test('a violation with neither construct nor template counts in every deployment, labelled ?#?', () => {
    const unplaced: GateFinding = { source: 'fake-pack', rule: 'rule-h', resource: '?#?', message: 'rule-h description', fix: undefined };
    expect(results[0]!.findings.filter((f) => f.rule === 'rule-h')).toEqual([unplaced]);
    expect(results[1]!.findings.filter((f) => f.rule === 'rule-h')).toEqual([unplaced]);
  });

  test('a pack that fails without violations is a finding carrying its metadata', () => {
    const failed = bySource(results[0]!, 'broken-pack');
    expect(failed).toEqual<GateFinding[]>([{ source: 'broken-pack', rule: 'plugin-failed', resource: '(app)', message: expect.stringContaining('the pack broke') as string }]);
    expect(JSON.parse(failed[0]!.message)).toEqual(expect.objectContaining({ error: expect.stringContaining('the pack broke') as string }));
    expect(bySource(results[1]!, 'broken-pack')).toEqual(failed);
  });

  test('a pack that reports failure without violations (and no metadata) is a finding', () => {
    expect(bySource(results[0]!, 'failing-pack')).toEqual<GateFinding[]>([{ source: 'failing-pack', rule: 'plugin-failed', resource: '(app)', message: '{}' }]);
  });

  test('a pack whose every violation is acknowledged is no finding, though its report has no violations', () => {
    expect(bySource(results[0]!, 'quiet-pack')).toEqual([]);
  });

  test('a pack that fails with violations reports the violations, not a plugin failure', () => {
    expect(results[1]!.findings.filter((f) => f.source === 'fake-pack' && f.rule === 'plugin-failed')).toEqual([]);
    expect(bySource(results[1]!, 'fake-pack').map((f) => f.rule)).toEqual(['rule-a', 'rule-b', 'rule-h']);
  });

  test('the Construct Annotations report (warnings the gate reads from the assembly) is not read twice', () => {
    expect(results[0]!.findings.filter((f) => f.source === 'Construct Annotations')).toEqual([]);
  });

  test('acknowledgements on the app, a deployment and a stack are findings: use the one resource', () => {
    const scope = results[0]!.findings.filter((f) => f.rule === 'acknowledgement-scope');
    expect(scope).toEqual<GateFinding[]>([
      { source: 'gate', rule: 'acknowledgement-scope', resource: '', message: 'AwsSolutions-IAM5 is acknowledged on a construct that is not a single CloudFormation resource; use acknowledgeFinding() on the resource' },
      { source: 'gate', rule: 'acknowledgement-scope', resource: 'one', message: 'AwsSolutions-S1 is acknowledged on a construct that is not a single CloudFormation resource; use acknowledgeFinding() on the resource' },
      { source: 'gate', rule: 'acknowledgement-scope', resource: 'one/Core', message: 'AwsSolutions-IAM4 is acknowledged on a construct that is not a single CloudFormation resource; use acknowledgeFinding() on the resource' },
    ]);
    expect(results[1]!.findings.filter((f) => f.rule === 'acknowledgement-scope')).toEqual([scope[0]]);
  });

  test('acknowledgements neither suppressed by CDK nor marked in the ledger are stale', () => {
    expect(results[0]!.findings.filter((f) => f.rule === 'stale-acknowledgement')).toEqual<GateFinding[]>([
      { source: 'gate', rule: 'stale-acknowledgement', resource: 'one', message: 'AwsSolutions-S1 is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement' },
      { source: 'gate', rule: 'stale-acknowledgement', resource: 'one/Core', message: 'AwsSolutions-IAM4 is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement' },
      { source: 'gate', rule: 'stale-acknowledgement', resource: 'one/Core/Topic', message: 'fake-pack::rule-c is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement' },
      { source: 'gate', rule: 'stale-acknowledgement', resource: 'one/Core/Topic', message: 'AwsSolutions-SNS2 is acknowledged here but no longer reported (resource or finding gone); remove the acknowledgement' },
    ]);
    expect(results[1]!.findings.filter((f) => f.rule === 'stale-acknowledgement')).toEqual([]);
  });

  test('the deployment\'s acknowledgements are listed: the blueprint\'s, and aws-cdk-lib\'s own apart', () => {
    expect(results[0]!.acknowledgements.map((a) => `${a.path} ${a.rule}`)).toEqual([
      'one AwsSolutions-S1',
      'one/Core AwsSolutions-IAM4',
      'one/Core/Topic fake-pack::rule-b',
      'one/Core/Topic fake-pack::rule-c',
      'one/Core/Topic AwsSolutions-SNS3',
      'one/Core/Topic AwsSolutions-SNS2',
      'one/Core/Topic quiet-pack::only-rule',
    ]);
    expect(results[0]!.libraryAcknowledgements.map((a) => `${a.path} ${a.rule} ${a.madeBy}`)).toEqual(['one/Core CloudFormation-Validate::W3010 aws-cdk-lib']);
    expect(results[1]!.acknowledgements).toEqual([]);
    expect(results[1]!.libraryAcknowledgements).toEqual([]);
  });

  test('acknowledged CDK warnings are listed with their reason, per deployment', () => {
    expect(results[0]!.warningAcknowledgements).toEqual([{ path: 'one/Core/Topic', id: '@aws-cdk/test:accepted', reason: REASON }]);
    expect(results[1]!.warningAcknowledgements).toEqual([]);
  });

  test('a failing compliance control is a finding per resource that fails it, with its title and evidence', () => {
    expect(bySource(results[0]!, 'compliance catalogue')).toEqual<GateFinding[]>([
      {
        source: 'compliance catalogue',
        rule: 'ebs-state-volume-protected',
        resource: 'one-Core/Volume',
        message: expect.stringMatching(/^Agent state is on its own EBS volume .*: The volume has Encrypted true/) as string,
      },
      {
        source: 'compliance catalogue',
        rule: 'sg-no-world-ingress',
        resource: 'one-Core/OpenSg',
        message: 'No security group admits 0.0.0.0/0 or ::/0 on any port (so none on SSH or RDP): No SecurityGroupIngress entry (inline or separate) has CidrIp 0.0.0.0/0 or CidrIpv6 ::/0.',
      },
    ]);
    expect(results[0]!.controls.map((c) => [c.control.id, c.status, c.resources])).toEqual([
      ['ebs-state-volume-protected', 'fails', [{ id: 'one-Core/Volume', holds: false }]],
      ['sg-no-world-ingress', 'fails', [{ id: 'one-Core/OpenSg', holds: false }, { id: 'one-Core/ClosedSg', holds: true }]],
    ]);
  });

  test('the templates of the deployment are listed', () => {
    expect(results[0]!.templates.map((t) => [t.stackName, path.basename(t.templateFile), Object.keys(t.template.Resources ?? {})])).toEqual([
      ['one-Core', expect.stringMatching(/^oneCore[0-9A-F]{8}\.template\.json$/) as string, ['Topic', 'Volume', 'OpenSg', 'ClosedSg']],
    ]);
  });

  test('a synth-time lookup is a finding naming the context key and provider', () => {
    expect(bySource(results[0]!, 'gate').filter((f) => f.rule === 'synth-time-lookup')).toEqual<GateFinding[]>([
      {
        source: 'gate',
        rule: 'synth-time-lookup',
        resource: 'one',
        message: `synth needs the context value "availability-zones:account=${ENV.account}:region=${ENV.region}" (availability-zones lookup); name it in config instead, synth must work with no AWS account`,
      },
    ]);
    expect(results[1]!.findings.filter((f) => f.rule === 'synth-time-lookup')).toEqual([]);
  });

  test('an unacknowledged CDK warning is a finding at its construct, first line only', () => {
    expect(bySource(results[0]!, 'cdk')).toEqual<GateFinding[]>([
      {
        source: 'cdk',
        rule: 'cdk-warning',
        resource: 'one/Core/Topic',
        message: 'first line of the warning; fix it, or acknowledge it on that construct with acknowledgeWarning(construct, id, reason)',
      },
    ]);
  });

  test('a control weakened by an approved config exception (data-retention) is no finding', () => {
    const weakened = build({ ...config, dataProtection: { ...config.dataProtection, retainOnDelete: false } });
    expect(weakened[0]!.controls.find((c) => c.control.id === 'ebs-state-volume-protected')?.status).toBe('weakened');
    expect(bySource(weakened[0]!, 'compliance catalogue').map((f) => `${f.rule} ${f.resource}`)).toEqual(['sg-no-world-ingress one-Core/OpenSg']);
  });
});

describe('a violation whose pack names its construct', () => {
  test('belongs to the deployment holding that construct, whichever template the pack names', () => {
    const app = newApp();
    const one = new Stage(app, 'one');
    const two = new Stage(app, 'two');
    new CfnResource(new Stack(one, 'Core'), 'Topic', { type: 'AWS::SNS::Topic' });
    new CfnResource(new Stack(two, 'Core'), 'Queue', { type: 'AWS::SQS::Queue' });
    Validations.of(app).addPlugins(new FakePack('fake-pack', [{ rule: 'rule-p', logicalId: 'Topic', onlyIn: 'assembly-two/', constructPath: 'one/Core/Topic' }]));
    app.synth();
    const results = evaluateGate({ app, ledger: new AckLedger(), deployments: [{ config, stage: one }, { config, stage: two }] });
    expect(results.map((r) => r.findings.map((f) => `${f.rule} ${f.resource}`))).toEqual([['rule-p one/Core/Topic'], []]);
  });
});

describe('a violation without a description', () => {
  test('is still a finding, with a message saying the pack gave none (not a TypeError that loses the report)', () => {
    const app = newApp();
    const stage = new Stage(app, 'one');
    new CfnResource(new Stack(stage, 'Core'), 'Topic', { type: 'AWS::SNS::Topic' });
    Validations.of(app).addPlugins(new FakePack('fake-pack', [{ rule: 'rule-n', logicalId: 'Topic', noDescription: true }]));
    app.synth();
    expect(evaluateGate({ app, ledger: new AckLedger(), deployments: [{ config, stage }] })[0]!.findings).toEqual<GateFinding[]>([
      { source: 'fake-pack', rule: 'rule-n', resource: 'one/Core/Topic', message: '(the rule pack gave no description)', fix: undefined },
    ]);
  });
});

describe('preconditions: the gate cannot be switched off', () => {
  /** An app with one empty-ish deployment, synthesized with a pack (or none). */
  const findingsOf = (context: Record<string, unknown>, withPack = true) => {
    const app = newApp(context);
    const stage = new Stage(app, 'one');
    new CfnResource(new Stack(stage, 'Core'), 'Topic', { type: 'AWS::SNS::Topic' });
    if (withPack) Validations.of(app).addPlugins(new FakePack('fake-pack', []));
    app.synth();
    return evaluateGate({ app, ledger: new AckLedger(), deployments: [{ config, stage }] })[0]!.findings;
  };

  test('a clean deployment has no finding', () => {
    expect(findingsOf(GATE_CONTEXT)).toEqual([]);
  });

  test.each([
    ['missing', {}],
    ['false', { [VALIDATE_AGAINST_DEFAULT_RULES]: false }],
    ['the string "true"', { [VALIDATE_AGAINST_DEFAULT_RULES]: 'true' }],
  ])('%s @aws-cdk/core:validateAgainstDefaultRules is a finding', (_, context) => {
    expect(findingsOf({ ...GATE_CONTEXT, [VALIDATE_AGAINST_DEFAULT_RULES]: undefined, ...context })).toEqual<GateFinding[]>([
      {
        source: 'gate',
        rule: 'default-rules-as-warnings',
        resource: '(app)',
        message: 'context @aws-cdk/core:validateAgainstDefaultRules must be true so CloudFormation validation findings are errors',
      },
    ]);
  });

  test('CDK_VALIDATION=false is a finding; another value is not', () => {
    const previous = process.env.CDK_VALIDATION;
    try {
      process.env.CDK_VALIDATION = 'false';
      expect(findingsOf(GATE_CONTEXT)).toEqual<GateFinding[]>([
        { source: 'gate', rule: 'validation-disabled', resource: '(app)', message: 'CDK_VALIDATION=false switches off CloudFormation validation; unset it, the gate cannot be bypassed' },
      ]);
      process.env.CDK_VALIDATION = 'true';
      expect(findingsOf(GATE_CONTEXT)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.CDK_VALIDATION;
      else process.env.CDK_VALIDATION = previous;
    }
  });

  test('a synth that wrote no validation report is a finding', () => {
    expect(findingsOf(GATE_CONTEXT, false)).toEqual<GateFinding[]>([
      { source: 'gate', rule: 'validation-did-not-run', resource: '(app)', message: 'synthesis wrote no validation report, so the rule packs did not run' },
    ]);
  });

  test('the context key is CDK\'s', () => {
    expect(VALIDATE_AGAINST_DEFAULT_RULES).toBe('@aws-cdk/core:validateAgainstDefaultRules');
  });
});
