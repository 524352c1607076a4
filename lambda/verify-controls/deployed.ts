/**
 * The deployment as it is deployed: each stack's template read back with
 * CloudFormation GetTemplate (the edge stack in us-east-1), so the daily checks
 * compare the live resources with what was deployed, not with a synth.
 */
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import type { DeployedStack, StackTemplate } from '../../lib/verify/deployed-stacks';
import type { StackLocation } from './env';

/** A stack whose template could not be read, and why (the stacks-deployed check reports the stack itself). */
export interface UnreadStack {
  readonly stackName: string;
  readonly error: string;
}

/** The deployed templates; a stack that cannot be read gets an empty template and is listed in `unread`. */
export async function readDeployedStacks(stacks: readonly StackLocation[]): Promise<{ stacks: DeployedStack[]; unread: UnreadStack[] }> {
  const unread: UnreadStack[] = [];
  const read = await Promise.all(
    stacks.map(async (s): Promise<DeployedStack> => {
      try {
        const cfn = new CloudFormationClient({ region: s.region });
        const out = await cfn.send(new GetTemplateCommand({ StackName: s.stackName, TemplateStage: 'Original' }));
        const template = (typeof out.TemplateBody === 'string' ? JSON.parse(out.TemplateBody) : (out.TemplateBody ?? {})) as StackTemplate;
        return { ...s, template };
      } catch (e) {
        const err = e as Error;
        unread.push({ stackName: s.stackName, error: `${err.name}: ${err.message}` });
        return { ...s, template: {} };
      }
    }),
  );
  return { stacks: read, unread };
}
