/**
 * Root commands without ssm:SendCommand: a State Manager association or a maintenance window
 * task that runs AWS-RunShellScript on the host. Simulated (test/support/simulator.ts) with the
 * resources AWS authorizes for each write (test/support/ssm-requests.ts, SCHEDULED_REQUESTS) for
 * an operator holding the shipped policies plus ssm:* on *, and, for principals without the
 * operator policy, under the SCP of docs/break-glass.md. Each deny is dropped to show it is the
 * one that refuses.
 */
import { ACCOUNT, BROAD_SSM, buildHosts, decideAll, operator, without, type Host } from '../support/break-glass-hosts';
import { callOf, roleActor, type RoleActor } from '../support/request-context';
import { SCHEDULED_REQUESTS } from '../support/ssm-requests';
import { simulate, type Decision } from '../support/simulator';
import type { PolicyDocument } from '../support/template-policies';
import { OPERATOR_SIDS } from '../../lib/access/operator-access';
import { breakGlassScp } from '../../lib/access/organization-gaps';
import { deploymentName } from '../../lib/shared/naming';

let example: Host;

beforeAll(() => {
  ({ example } = buildHosts());
});

const shell = () => example.document('AWS-RunShellScript');
const association = () => example.ssm('association/8a1c7f2e-0b1d-4e5f-9a6b-3c2d1e0f9a8b');
const windowArn = () => example.ssm('maintenancewindow/mw-0123456789abcdef0');
const taskArn = () => example.ssm('windowtask/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b');

/** Each write that would run AWS-RunShellScript on the host, with the resources AWS authorizes for it. */
const SHELL_WRITES: readonly (readonly [string, string, () => string[]])[] = [
  ['CreateAssociation targeting the instance by ID', 'ssm:CreateAssociation', () => SCHEDULED_REQUESTS.createAssociation(association(), shell(), [example.instanceArn])],
  ['CreateAssociation targeting it by tag', 'ssm:CreateAssociation', () => SCHEDULED_REQUESTS.createAssociation(association(), shell(), [])],
  ['CreateAssociationBatch', 'ssm:CreateAssociationBatch', () => SCHEDULED_REQUESTS.createAssociationBatch(shell(), [example.instanceArn])],
  ['UpdateAssociation with new commands', 'ssm:UpdateAssociation', () => SCHEDULED_REQUESTS.updateAssociationParameters(association())],
  ['RegisterTaskWithMaintenanceWindow (RUN_COMMAND, AWS-RunShellScript)', 'ssm:RegisterTaskWithMaintenanceWindow', () => SCHEDULED_REQUESTS.registerTaskWithMaintenanceWindow(windowArn())],
  ['UpdateMaintenanceWindowTask', 'ssm:UpdateMaintenanceWindowTask', () => SCHEDULED_REQUESTS.updateMaintenanceWindowTask(windowArn(), taskArn())],
];

/** The Sid that refuses each write: the document deny where AWS authorizes the document, the outright deny where it does not. */
const refusedBy = (action: string) =>
  action === 'ssm:CreateAssociation' || action === 'ssm:CreateAssociationBatch' ? OPERATOR_SIDS.denyAssociationsWithOtherDocuments : OPERATOR_SIDS.denySchedulingCommands;

describe('an operator holding the shipped policies and ssm:* on *', () => {
  const broad = () => operator([...example.policies, BROAD_SSM]);

  test.each(SHELL_WRITES)('cannot %s', async (_name, action, resources) => {
    expect(await decideAll(broad(), action, resources())).toBe('ExplicitDeny');
    expect(await decideAll(operator([...without(example, refusedBy(action)), BROAD_SSM]), action, resources())).toBe('Allow');
  });

  test("may still associate the deployment's own verification document (it runs nothing else)", async () => {
    const own = example.document(`${deploymentName(example.p.config)}-verify-host`);
    expect(await decideAll(broad(), 'ssm:CreateAssociation', SCHEDULED_REQUESTS.createAssociation(association(), own, [example.instanceArn]))).toBe('Allow');
  });

  test('holding only the shipped policies, is allowed none of these writes', async () => {
    for (const [name, action, resources] of SHELL_WRITES) {
      expect([name, await decideAll(operator(example.policies), action, resources())]).not.toEqual([name, 'Allow']);
    }
  });
});

describe('the SCP of docs/break-glass.md, for principals without the operator policy', () => {
  const FULL_AWS_ACCESS: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const OPERATORS = `arn:aws:iam::${ACCOUNT}:role/operators`;
  const admin = () => roleActor(`arn:aws:iam::${ACCOUNT}:role/admin`, [FULL_AWS_ACCESS]);

  async function underScp(actor: RoleActor, action: string, resources: readonly string[], scp: PolicyDocument | undefined): Promise<Decision> {
    const decisions = await Promise.all(resources.map(async (resource) => {
      const { request, policies } = callOf(actor, { action, resource });
      return simulate(request, { ...policies, ...(scp ? { scps: [[FULL_AWS_ACCESS, scp]] } : {}) });
    }));
    if (decisions.includes('ExplicitDeny')) return 'ExplicitDeny';
    return decisions.every((d) => d === 'Allow') ? 'Allow' : 'ImplicitDeny';
  }
  const scp = () => breakGlassScp(example.p.config.project.prefix, [OPERATORS]) as unknown as PolicyDocument;
  const firstStatementOnly = (): PolicyDocument => ({ ...scp(), Statement: [(scp().Statement as unknown[])[0]] as PolicyDocument['Statement'] });

  test.each(SHELL_WRITES)('an administrator may %s without the SCP (the gap), is denied with it, and the instance statement alone does not deny it', async (_name, action, resources) => {
    expect(await underScp(admin(), action, resources(), undefined)).toBe('Allow');
    expect(await underScp(admin(), action, resources(), scp())).toBe('ExplicitDeny');
    expect(await underScp(admin(), action, resources(), firstStatementOnly())).toBe('Allow');
  });

  test('the exempt operator role is still refused by its own policy', async () => {
    const op = roleActor(OPERATORS, [...example.policies, BROAD_SSM]);
    for (const [name, action, resources] of SHELL_WRITES) {
      expect([name, await underScp(op, action, resources(), scp())]).toEqual([name, 'ExplicitDeny']);
    }
  });
});
