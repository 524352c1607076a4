/**
 * Break-glass only through the recorded path: the operator policies of the
 * synthesized gateway template (lib/access/operator-access.ts), simulated
 * (test/support/simulator.ts) with the resources AWS authorizes for each call
 * (test/support/request-context.ts, sessionResources / commandResources), for
 *
 * - an operator holding ONLY the shipped policies, and
 * - an operator holding them plus a broad allow (ssm:* on *, as PowerUserAccess
 *   or AmazonSSMFullAccess give).
 *
 * Two clients in one account (example and acme, both prod): each one's policy
 * must not open the other's recorded document.
 *
 * AWS-owned documents: AWS authorizes them as arn:aws:ssm:<region>::document/AWS-...
 * (no account); the simulator rejects an ARN without an account (simulator.ts
 * header), so the calls are simulated with the account in the ARN, and a
 * separate test shows that every resource element of the shipped policies
 * matches both forms alike, so the decision does not depend on that field.
 *
 * Each control is also removed from the policy here (a statement dropped, the
 * condition dropped) to show the case it exists for turns.
 */
import { ACCOUNT, BROAD_SSM, buildHosts, decideAll, edited, operator, without, type Host } from '../support/break-glass-hosts';
import { onKey, rolePrincipal } from '../support/deployment-policies';
import { logicalIdsOfType, resolveIntrinsics } from '../support/iam-intrinsics';
import { callOf, roleActor, type RoleActor } from '../support/request-context';
import { commandResources, onTaggedInstance, sessionResources } from '../support/ssm-requests';
import { simulate, type Decision } from '../support/simulator';
import { identityPoliciesOf, type PolicyDocument, type Statement } from '../support/template-policies';
import { OPERATOR_SIDS, operatorPolicyName } from '../../lib/access/operator-access';
import { deploymentName } from '../../lib/shared/naming';
import { RESTORE_AGENT_CALLS } from '../../lib/spend/restore-agent';
import { breakGlassRecordedOnly } from '../../lib/access/compliance-controls';
import { breakGlassScp, organizationGaps } from '../../lib/access/organization-gaps';
import type { TemplateResource } from '../../lib/compliance/control';
import type { SynthesizedTemplate } from '../../lib/compliance/evaluate';

let example: Host;
let acme: Host;

beforeAll(() => {
  ({ example, acme } = buildHosts());
});

const shippedOnly = (h: Host) => operator(h.policies);
const shippedPlusBroad = (h: Host) => operator([...h.policies, BROAD_SSM]);

const startSession = (actor: RoleActor, h: Host, document?: string) =>
  decideAll(actor, 'ssm:StartSession', sessionResources(actor, h.instanceArn, document === undefined ? undefined : h.document(document)));
const sendCommand = (actor: RoleActor, h: Host, document: string) => decideAll(actor, 'ssm:SendCommand', commandResources(h.document(document), [h.instanceArn]));

const recorded = (h: Host) => `${deploymentName(h.p.config)}-session`;
const verifyHost = (h: Host) => `${deploymentName(h.p.config)}-verify-host`;
const refreshSecrets = (h: Host) => `${deploymentName(h.p.config)}-refresh-secrets`;
const restoreAgent = (h: Host) => `${deploymentName(h.p.config)}-restore-agent`;

const OTHER_SESSION_DOCUMENTS = ['AWS-StartPortForwardingSession', 'AWS-StartPortForwardingSessionToRemoteHost', 'AWS-StartInteractiveCommand', 'AWS-StartSSHSession', 'SSM-SessionManagerRunShell'];

describe('an operator holding only the shipped policies', () => {
  test('starts the recorded session on the host', async () => {
    expect(await startSession(shippedOnly(example), example, recorded(example))).toBe('Allow');
  });

  test.each(OTHER_SESSION_DOCUMENTS)('cannot start a session with %s', async (doc) => {
    expect(await startSession(shippedOnly(example), example, doc)).toBe('ExplicitDeny');
  });

  test('cannot start a session without --document-name (the default shell): AWS checks SSM-SessionManagerRunShell, which the policy denies', async () => {
    expect(sessionResources(shippedOnly(example), example.instanceArn)).toEqual([example.instanceArn, example.document('SSM-SessionManagerRunShell')]);
    expect(await startSession(shippedOnly(example), example)).toBe('ExplicitDeny');
  });

  test("cannot start another client's recorded session, on its own host or on the other client's", async () => {
    expect(await startSession(shippedOnly(example), example, recorded(acme))).toBe('ExplicitDeny');
    expect(await startSession(shippedOnly(example), acme, recorded(acme))).toBe('ExplicitDeny');
    expect(await startSession(shippedOnly(example), acme, recorded(example))).toBe('ImplicitDeny');
  });

  test('makes every call of `npm run restore -- --agent` (RESTORE_AGENT_CALLS): finds the host, sends the restore document, reads its result', async () => {
    const decisions: Record<string, Decision> = {};
    for (const action of RESTORE_AGENT_CALLS) {
      if (action === 'ssm:SendCommand') decisions[action] = await sendCommand(shippedOnly(example), example, restoreAgent(example));
      else {
        // Both support no resource ARN: AWS authorizes them on *, in the deployment's region.
        const { request, policies } = callOf(shippedOnly(example), { action, resource: '*', region: example.p.config.aws.region });
        decisions[action] = await simulate(request, policies);
      }
    }
    expect(decisions).toEqual({ 'ec2:DescribeInstances': 'Allow', 'ssm:SendCommand': 'Allow', 'ssm:GetCommandInvocation': 'Allow' });
  });

  test('runs the verification, secrets refresh and per-agent restore documents on the host', async () => {
    expect(await sendCommand(shippedOnly(example), example, verifyHost(example))).toBe('Allow');
    expect(await sendCommand(shippedOnly(example), example, refreshSecrets(example))).toBe('Allow');
    expect(await sendCommand(shippedOnly(example), example, restoreAgent(example))).toBe('Allow');
  });

  test("cannot send another client's restore-agent document, to its own host or the other's", async () => {
    expect(await sendCommand(shippedOnly(example), example, restoreAgent(acme))).toBe('ExplicitDeny');
    expect(await sendCommand(shippedOnly(example), acme, restoreAgent(acme))).toBe('ExplicitDeny');
  });

  test.each(['AWS-RunShellScript', 'AWS-RunPowerShellScript', 'AWS-RunRemoteScript'])('cannot send %s to the host', async (doc) => {
    expect(await sendCommand(shippedOnly(example), example, doc)).toBe('ExplicitDeny');
  });

  test("cannot run another client's verification document", async () => {
    expect(await sendCommand(shippedOnly(example), example, verifyHost(acme))).toBe('ExplicitDeny');
    expect(await sendCommand(shippedOnly(example), acme, verifyHost(acme))).toBe('ExplicitDeny');
  });

  test('reads command results and finds the host (actions without a resource ARN)', async () => {
    for (const action of ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:DescribeInstanceInformation', 'ssm:DescribeSessions', 'ec2:DescribeInstances']) {
      const { request, policies } = callOf(shippedOnly(example), { action, resource: '*', region: example.region });
      expect(await simulate(request, policies)).toBe('Allow');
    }
  });

  test('may generate the data key of the encrypted session with the deployment key (its key policy lets IAM grant it), and nothing else with it', async () => {
    const keys = logicalIdsOfType(example.p.core.template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    expect(await onKey(example.p.core, keys[0]!, shippedOnly(example), 'kms:GenerateDataKey')).toBe('Allow');
    expect(await onKey(example.p.core, keys[0]!, shippedOnly(example), 'kms:Decrypt')).toBe('ImplicitDeny');
  });

  test('without the document access check, a session without --document-name opens the default shell', async () => {
    const weakened = operator(edited(example, (s) => (s.Sid === OPERATOR_SIDS.startRecordedSession ? (({ Condition: _dropped, ...rest }) => rest)(s) : s)));
    expect(await startSession(weakened, example)).toBe('Allow');
  });
});

describe('an operator holding the shipped policies and ssm:* on *', () => {
  test.each(['AWS-StartPortForwardingSession', 'AWS-StartPortForwardingSessionToRemoteHost', 'AWS-StartInteractiveCommand', 'AWS-StartSSHSession', 'SSM-SessionManagerRunShell'])(
    'is denied a session with %s by the shipped deny',
    async (doc) => {
      expect(await startSession(shippedPlusBroad(example), example, doc)).toBe('ExplicitDeny');
      expect(await startSession(operator([...without(example, OPERATOR_SIDS.denyOtherSessionDocuments), BROAD_SSM]), example, doc)).toBe('Allow');
    },
  );

  test("is denied another client's recorded session document", async () => {
    expect(await startSession(shippedPlusBroad(example), example, recorded(acme))).toBe('ExplicitDeny');
  });

  test('is denied AWS-RunShellScript on the host by the shipped deny', async () => {
    expect(await sendCommand(shippedPlusBroad(example), example, 'AWS-RunShellScript')).toBe('ExplicitDeny');
    expect(await sendCommand(operator([...without(example, OPERATOR_SIDS.denyOtherCommandDocuments), BROAD_SSM]), example, 'AWS-RunShellScript')).toBe('Allow');
  });

  test('is denied rewriting the recorded document', async () => {
    const call = (actor: RoleActor) => callOf(actor, { action: 'ssm:UpdateDocument', resource: example.document(recorded(example)) });
    const denied = call(shippedPlusBroad(example));
    expect(await simulate(denied.request, denied.policies)).toBe('ExplicitDeny');
    const weakened = call(operator([...without(example, OPERATOR_SIDS.denyRewritingDocuments), BROAD_SSM]));
    expect(await simulate(weakened.request, weakened.policies)).toBe('Allow');
  });

  test('still starts the recorded session and runs the verification document', async () => {
    expect(await startSession(shippedPlusBroad(example), example, recorded(example))).toBe('Allow');
    expect(await sendCommand(shippedPlusBroad(example), example, verifyHost(example))).toBe('Allow');
  });

  test('GAP (docs/break-glass.md): a session without --document-name is not document-checked by AWS, so no identity deny can refuse it', async () => {
    // AWS enforces the document check only when every statement allowing StartSession carries it; ssm:* does not.
    expect(sessionResources(shippedPlusBroad(example), example.instanceArn)).toEqual([example.instanceArn]);
    expect(await startSession(shippedPlusBroad(example), example)).toBe('Allow');
  });
});

/** IAM's ARN matching: * and ? within the whole ARN string. */
const arnMatches = (pattern: string, arn: string) => new RegExp(`^${pattern.replace(/[.+^$()|[\]\\{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(arn);

test('every resource element of the shipped policies matches an AWS-owned document with and without the account alike', () => {
  const list = (v: string | readonly string[] | undefined) => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);
  const elements = example.policies.flatMap((d) => (d.Statement as Statement[]).flatMap((s) => [...list(s.Resource), ...list(s.NotResource)]));
  expect(elements.length).toBeGreaterThan(0);
  for (const doc of [...OTHER_SESSION_DOCUMENTS.filter((d) => d.startsWith('AWS-')), 'AWS-RunShellScript']) {
    const owned = `arn:aws:ssm:${example.region}::document/${doc}`;
    const simulated = example.document(doc);
    for (const e of elements) expect([e, arnMatches(e, owned)]).toEqual([e, arnMatches(e, simulated)]);
  }
});

describe('the compliance report', () => {
  const operatorResource = () => {
    const g = example.p.gateway;
    const id = logicalIdsOfType(g.template, 'AWS::IAM::ManagedPolicy').find((i) => g.template.Resources![i]!.Properties?.ManagedPolicyName === operatorPolicyName(deploymentName(example.p.config)))!;
    return g.template.Resources![id]! as TemplateResource;
  };
  const withStatements = (r: TemplateResource, edit: (s: Statement[]) => Statement[]): TemplateResource => {
    const doc = r.Properties!.PolicyDocument as { Statement: Statement[] };
    return { ...r, Properties: { ...r.Properties, PolicyDocument: { ...doc, Statement: edit(doc.Statement) } } };
  };

  test('break-glass-recorded-only holds on the shipped policy and fails when a deny, the check, or a second StartSession allow changes', () => {
    const r = operatorResource();
    const ctx = { logicalId: 'x', resources: {} };
    expect(breakGlassRecordedOnly.appliesTo!(r)).toBe(true);
    expect(breakGlassRecordedOnly.holds(r, ctx)).toBe(true);
    for (const sid of [OPERATOR_SIDS.denyOtherSessionDocuments, OPERATOR_SIDS.denyOtherCommandDocuments, OPERATOR_SIDS.denyAssociationsWithOtherDocuments, OPERATOR_SIDS.denySchedulingCommands, OPERATOR_SIDS.startRecordedSession]) {
      expect([sid, breakGlassRecordedOnly.holds(withStatements(r, (ss) => ss.filter((s) => s.Sid !== sid)), ctx)]).toEqual([sid, false]);
    }
    const unchecked = withStatements(r, (ss) => ss.map((s) => (s.Sid === OPERATOR_SIDS.startRecordedSession ? (({ Condition: _c, ...rest }) => rest)(s) : s)));
    expect(breakGlassRecordedOnly.holds(unchecked, ctx)).toBe(false);
    const secondAllow = withStatements(r, (ss) => [...ss, { Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' }]);
    expect(breakGlassRecordedOnly.holds(secondAllow, ctx)).toBe(false);
  });

  test('lists the gaps only an organization can close when the deployment ships the operator policy, and none otherwise', () => {
    const templates = [{ stackName: 'gateway', templateFile: 'gateway.json', template: example.p.gateway.template as SynthesizedTemplate['template'] }];
    expect(organizationGaps(templates).map((g) => g.id)).toEqual(['break-glass-other-principals', 'break-glass-default-shell', 'break-glass-state-manager', 'break-glass-serial-console', 'break-glass-user-data', 'break-glass-ssh-path']);
    expect(organizationGaps([{ ...templates[0]!, template: example.p.core.template as SynthesizedTemplate['template'] }])).toEqual([]);
  });
});

describe('the SCP of docs/break-glass.md (breakGlassScp), which closes the organization gaps', () => {
  const FULL_AWS_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const OPERATORS = `arn:aws:iam::${ACCOUNT}:role/operators`;
  const scp = (): PolicyDocument => breakGlassScp(example.p.config.project.prefix, [OPERATORS]) as unknown as PolicyDocument;
  const instanceTags = () => {
    const g = example.p.gateway;
    const id = logicalIdsOfType(g.template, 'AWS::EC2::Instance')[0]!;
    const tags = resolveIntrinsics(g.template.Resources![id]!.Properties!.Tags, g.ctx) as { Key: string; Value: string }[];
    return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  };

  async function underScp(actor: RoleActor, action: string, resources: readonly string[], withScp: boolean): Promise<Decision> {
    const decisions = await Promise.all(resources.map(async (resource) => {
      const { request, policies } = onTaggedInstance(callOf(actor, { action, resource }), instanceTags());
      return simulate(request, { ...policies, ...(withScp ? { scps: [[FULL_AWS_ACCESS, scp()]] } : {}) });
    }));
    if (decisions.includes('ExplicitDeny')) return 'ExplicitDeny';
    return decisions.every((d) => d === 'Allow') ? 'Allow' : 'ImplicitDeny';
  }
  const admin = () => roleActor(`arn:aws:iam::${ACCOUNT}:role/admin`, [FULL_AWS_ACCESS]);

  test('the instance carries the tag the SCP matches', () => {
    expect(instanceTags()['openclaw:prefix']).toBe(example.p.config.project.prefix);
  });

  test('an administrator without the operator policy: port forwarding, the default shell and AWS-RunShellScript are allowed without the SCP (the gap) and denied with it', async () => {
    for (const doc of ['AWS-StartPortForwardingSession', 'AWS-StartPortForwardingSessionToRemoteHost', undefined]) {
      const resources = sessionResources(admin(), example.instanceArn, doc === undefined ? undefined : example.document(doc));
      expect([doc, await underScp(admin(), 'ssm:StartSession', resources, false)]).toEqual([doc, 'Allow']);
      expect([doc, await underScp(admin(), 'ssm:StartSession', resources, true)]).toEqual([doc, 'ExplicitDeny']);
    }
    const shell = commandResources(example.document('AWS-RunShellScript'), [example.instanceArn]);
    expect(await underScp(admin(), 'ssm:SendCommand', shell, false)).toBe('Allow');
    expect(await underScp(admin(), 'ssm:SendCommand', shell, true)).toBe('ExplicitDeny');
  });

  test('an exempt operator role still reaches the host only through the recorded document', async () => {
    const op = roleActor(OPERATORS, example.policies);
    expect(await underScp(op, 'ssm:StartSession', sessionResources(op, example.instanceArn, example.document(recorded(example))), true)).toBe('Allow');
    expect(await underScp(op, 'ssm:StartSession', sessionResources(op, example.instanceArn, example.document('AWS-StartPortForwardingSession')), true)).toBe('ExplicitDeny');
    expect(await underScp(op, 'ssm:SendCommand', commandResources(example.document(verifyHost(example)), [example.instanceArn]), true)).toBe('Allow');
  });

  test("each of the deployment's rotation functions (one per gateway token) still sends the refresh document", async () => {
    const g = example.p.gateway;
    const rotation = logicalIdsOfType(g.template, 'AWS::IAM::Role').filter((id) =>
      identityPoliciesOf(g.template, id, g.options).some((d) => (d.Statement as Statement[]).some((s) => s.Sid === 'RefreshTheHost')),
    );
    expect(rotation).toHaveLength(2); // the example's two gateways: ops, support
    for (const id of rotation) {
      const fn = rolePrincipal(g, id);
      expect(await underScp(fn, 'ssm:SendCommand', commandResources(example.document(refreshSecrets(example)), [example.instanceArn]), true)).toBe('Allow');
    }
  });
});
