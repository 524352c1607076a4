/**
 * CloudFormation's ListStackResources answer for a hand-made stack, as the live checks read it
 * (VerifyContext.physicalId): one CREATE_COMPLETE summary per template resource, with the
 * physical ID `physicalOf` gives (`<logicalId>-physical` when it gives none). For focused tests
 * of the live checks that build their stacks by hand instead of synthesizing the app.
 */
import { ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { TemplateResource } from '../../lib/compliance/control';
import type { DeployedStack } from '../../lib/verify/deployed-stacks';

export function answerStackResources(
  cfn: AwsClientStub<CloudFormationClient>,
  stack: DeployedStack,
  physicalOf: (logicalId: string, resource: TemplateResource) => string | undefined,
  omit: readonly string[] = [],
  when = new Date('2026-11-21T12:00:00Z'),
): void {
  cfn.on(ListStackResourcesCommand, { StackName: stack.stackName }).resolves({
    StackResourceSummaries: Object.entries(stack.template.Resources ?? {})
      .filter(([id]) => !omit.includes(id))
      .map(([id, r]) => ({
        LogicalResourceId: id,
        PhysicalResourceId: physicalOf(id, r) ?? `${id}-physical`,
        ResourceType: r.Type,
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: when,
      })),
  });
}
