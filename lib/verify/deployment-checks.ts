/**
 * Checks of the deployment as a whole: every stack is deployed and settled,
 * and (npm run verify only) what is deployed is what the config synthesizes
 * today, so that every other check compares the live resources with the
 * templates actually deployed.
 */
import { CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { expect, result, type LiveCheck } from './live-check';

/** Settled states a stack may be in (a rollback state means the last deploy failed). */
const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export const stacksDeployed: LiveCheck = {
  id: 'deployment.stacks-deployed',
  control: 'deployment-settled',
  title: 'Every stack is deployed and its last operation completed',
  concern: 'deployment',
  daily: true,
  iam: ['cloudformation:DescribeStacks'],
  run: async (ctx) =>
    Promise.all(
      ctx.stacks.map(async (s) => {
        try {
          const out = await ctx.client(CloudFormationClient, s.region).send(new DescribeStacksCommand({ StackName: s.stackName }));
          const status = out.Stacks?.[0]?.StackStatus ?? '(none)';
          return expect(stacksDeployed, SETTLED.has(status), `${s.stackName} (${s.region})`, `status ${status}`, 'CREATE_COMPLETE or UPDATE_COMPLETE');
        } catch (e) {
          const err = e as Error;
          if (/does not exist/.test(err.message)) return result(stacksDeployed, 'fail', `${s.stackName} (${s.region})`, 'stack does not exist: not deployed');
          throw e;
        }
      }),
    ),
};

/** Parses a template body (CloudFormation returns JSON as written, or a parsed object for some SDKs). */
const parseBody = (body: unknown): unknown => (typeof body === 'string' ? JSON.parse(body) : body);

/** Resources and outputs, in a stable key order, for comparison. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}

export const templatesCurrent: LiveCheck = {
  id: 'deployment.templates-current',
  control: 'deployment-current',
  title: 'The deployed templates are the ones the config synthesizes today',
  concern: 'deployment',
  // The daily check reads the deployed templates themselves, so it has nothing to compare with.
  daily: false,
  iam: ['cloudformation:GetTemplate'],
  run: async (ctx) =>
    Promise.all(
      ctx.stacks.map(async (s) => {
        const out = await ctx.client(CloudFormationClient, s.region).send(new GetTemplateCommand({ StackName: s.stackName, TemplateStage: 'Original' }));
        const deployed = parseBody(out.TemplateBody) as { Resources?: unknown; Outputs?: unknown };
        const same = canonical({ r: deployed.Resources, o: deployed.Outputs }) === canonical({ r: s.template.Resources, o: s.template.Outputs });
        const changed = same
          ? []
          : Object.keys({ ...(deployed.Resources as object), ...s.template.Resources }).filter(
              (id) => canonical((deployed.Resources as Record<string, unknown> | undefined)?.[id]) !== canonical(s.template.Resources?.[id]),
            );
        return expect(
          templatesCurrent,
          same,
          s.stackName,
          same ? 'deployed template equals the synthesized one' : `deployed template differs in ${changed.length} resource(s): ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', ...' : ''}`,
          'npm run cdk -- deploy of this client x env (then verify again)',
        );
      }),
    ),
};

export const DEPLOYMENT_LIVE_CHECKS: readonly LiveCheck[] = [stacksDeployed, templatesCurrent];
