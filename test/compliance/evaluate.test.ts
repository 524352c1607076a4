import type { ComplianceControl, ResourceContext, TemplateResource } from '../../lib/compliance/control';
import { evaluateControls, type SynthesizedTemplate } from '../../lib/compliance/evaluate';

// evaluateControls: which resources each control applies to, what context holds() sees, and the status.
const template = (stackName: string, resources?: Record<string, TemplateResource>): SynthesizedTemplate => ({
  stackName,
  templateFile: `${stackName}.template.json`,
  template: resources === undefined ? {} : { Resources: resources },
});
const bucket = (good: boolean, role?: string): TemplateResource => ({
  Type: 'AWS::S3::Bucket',
  Properties: { Good: good, ...(role === undefined ? {} : { Role: role }) },
});
const control = (id: string, over: Partial<ComplianceControl> = {}): ComplianceControl => ({
  id,
  title: id,
  resourceType: 'AWS::S3::Bucket',
  fsbp: [],
  cis: [],
  controlTower: [],
  evidence: '',
  holds: (r) => r.Properties?.Good === true,
  ...over,
});
const summary = (results: ReturnType<typeof evaluateControls>) => results.map((r) => ({ id: r.control.id, status: r.status, resources: r.resources }));

const TEMPLATES = [
  template('core', { A: bucket(true), K: { Type: 'AWS::KMS::Key', Properties: { Good: false } }, L: bucket(false, 'logs') }),
  template('empty'),
  template('edge', { B: bucket(true) }),
];

test('a control applies to every resource of its type in every template, ids <stack>/<logicalId>, in template order', () => {
  expect(summary(evaluateControls([control('all')], TEMPLATES, new Set()))).toEqual([
    {
      id: 'all',
      status: 'fails',
      resources: [
        { id: 'core/A', holds: true },
        { id: 'core/L', holds: false },
        { id: 'edge/B', holds: true },
      ],
    },
  ]);
});

test('appliesTo narrows the resources; a control that holds on all of them holds', () => {
  const notLogs = control('not-logs', { appliesTo: (r) => r.Properties?.Role !== 'logs' });
  expect(summary(evaluateControls([notLogs], TEMPLATES, new Set()))).toEqual([
    { id: 'not-logs', status: 'holds', resources: [{ id: 'core/A', holds: true }, { id: 'edge/B', holds: true }] },
  ]);
});

test('a control with no resource of its type (or none it applies to) is not listed', () => {
  const controls = [control('queues', { resourceType: 'AWS::SQS::Queue' }), control('none', { appliesTo: () => false }), control('all')];
  expect(evaluateControls(controls, TEMPLATES, new Set()).map((r) => r.control.id)).toEqual(['all']);
  expect(evaluateControls([control('all')], [template('empty')], new Set())).toEqual([]);
});

test('a failing control is weakened only when its own hardened control has an approved exception', () => {
  const weakenable = control('w', { weakenedBy: 'data-retention' });
  const status = (c: ComplianceControl, weakened: string[]) => evaluateControls([c], TEMPLATES, new Set(weakened))[0]!.status;
  expect(status(weakenable, ['data-retention'])).toBe('weakened');
  expect(status(weakenable, ['exec-allowlist'])).toBe('fails');
  expect(status(weakenable, [])).toBe('fails');
  expect(status(control('not-weakenable'), ['data-retention'])).toBe('fails');
  // An exception does not turn a control that holds into "weakened".
  expect(status(control('holds', { weakenedBy: 'data-retention', holds: () => true }), ['data-retention'])).toBe('holds');
});

test('holds() sees the resource, its logical id and every resource of its own template', () => {
  const seen: [TemplateResource, ResourceContext][] = [];
  evaluateControls([control('spy', { holds: (r, c) => (seen.push([r, c]), true) })], TEMPLATES, new Set());
  expect(seen).toEqual([
    [TEMPLATES[0]!.template.Resources!.A, { logicalId: 'A', resources: TEMPLATES[0]!.template.Resources }],
    [TEMPLATES[0]!.template.Resources!.L, { logicalId: 'L', resources: TEMPLATES[0]!.template.Resources }],
    [TEMPLATES[2]!.template.Resources!.B, { logicalId: 'B', resources: TEMPLATES[2]!.template.Resources }],
  ]);
});

test('the results keep the catalogue order and carry the control itself', () => {
  const first = control('first');
  const second = control('second', { appliesTo: (r) => r.Properties?.Role === 'logs' });
  const results = evaluateControls([first, second], TEMPLATES, new Set());
  expect(results.map((r) => r.control)).toEqual([first, second]);
  expect(results[1]).toEqual({ control: second, resources: [{ id: 'core/L', holds: false }], status: 'fails' });
});
