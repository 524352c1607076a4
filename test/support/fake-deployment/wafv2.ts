/**
 * WAFv2 of the fake deployment: GetWebACL and GetLoggingConfiguration answer
 * from the templates' AWS::WAFv2::WebACL and AWS::WAFv2::LoggingConfiguration
 * resources (the API's rule shapes are CloudFormation's). CLOUDFRONT-scope
 * calls are refused outside us-east-1, as WAF refuses them. Drift tests
 * change `wafState(world)`; deleting world.state.wafv2 restores it.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  WAFInvalidParameterException,
  WAFNonexistentItemException,
  WAFV2Client,
  type LoggingConfiguration,
  type WebACL,
} from '@aws-sdk/client-wafv2';
import type { FakeWorld, ServiceFake } from './world';

export interface WafState {
  /** Web ACLs by `name|id|scope` (their CloudFormation physical ID). */
  readonly webAcls: Map<string, WebACL>;
  /** Logging configurations by web ACL ARN. */
  readonly logging: Map<string, LoggingConfiguration>;
}

function build(world: FakeWorld): WafState {
  const webAcls = new Map<string, WebACL>();
  for (const r of world.resources('AWS::WAFv2::WebACL')) {
    const p = world.properties(r);
    const physical = world.physicalId(r.role, r.logicalId);
    const [name, id] = physical.split('|');
    webAcls.set(physical, {
      Name: name,
      Id: id,
      ARN: world.resolve(r.role, { 'Fn::GetAtt': [r.logicalId, 'Arn'] }) as string,
      DefaultAction: p.DefaultAction as WebACL['DefaultAction'],
      Rules: (p.Rules as WebACL['Rules']) ?? [],
      VisibilityConfig: p.VisibilityConfig as WebACL['VisibilityConfig'],
      Capacity: 1000,
      ManagedByFirewallManager: false,
      LabelNamespace: world.resolve(r.role, { 'Fn::GetAtt': [r.logicalId, 'LabelNamespace'] }) as string,
    });
  }
  const logging = new Map<string, LoggingConfiguration>();
  for (const r of world.resources('AWS::WAFv2::LoggingConfiguration')) {
    const p = world.properties(r);
    const arn = p.ResourceArn as string;
    logging.set(arn, {
      ResourceArn: arn,
      LogDestinationConfigs: p.LogDestinationConfigs as string[],
      RedactedFields: (p.RedactedFields as LoggingConfiguration['RedactedFields']) ?? [],
      ManagedByFirewallManager: false,
      LogType: 'WAF_LOGS',
      LogScope: 'CUSTOMER',
    });
  }
  return { webAcls, logging };
}

/** The fake's web ACLs and logging configurations (built from the templates on first use). */
export function wafState(world: FakeWorld): WafState {
  world.state.wafv2 ??= build(world);
  return world.state.wafv2 as WafState;
}

const meta = { $metadata: { httpStatusCode: 400 } };

export const wafv2Fake: ServiceFake = (world) => {
  const waf = mockClient(WAFV2Client);
  waf.on(GetWebACLCommand).callsFake(async (input: { Name?: string; Id?: string; Scope?: string }, getClient) => {
    const region = await getClient().config.region();
    if (input.Scope === 'CLOUDFRONT' && region !== 'us-east-1') {
      throw new WAFInvalidParameterException({ message: 'Error reason: The scope is not valid., field: SCOPE_VALUE, parameter: CLOUDFRONT', ...meta });
    }
    const acl = wafState(world).webAcls.get(`${input.Name}|${input.Id}|${input.Scope}`);
    if (!acl) throw new WAFNonexistentItemException({ message: "AWS WAF couldn't perform the operation because your resource doesn't exist.", ...meta });
    return { WebACL: structuredClone(acl), LockToken: '00000000-0000-4000-8000-000000000001' };
  });
  waf.on(GetLoggingConfigurationCommand).callsFake(async (input: { ResourceArn?: string }) => {
    const logging = input.ResourceArn === undefined ? undefined : wafState(world).logging.get(input.ResourceArn);
    if (!logging) throw new WAFNonexistentItemException({ message: "AWS WAF couldn't perform the operation because your resource doesn't exist.", ...meta });
    return { LoggingConfiguration: structuredClone(logging) };
  });
  return [waf];
};
