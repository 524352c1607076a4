import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { GetWebACLCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import type { TemplateResource } from '../../lib/compliance/control';
import { actionName, canonical, liveDistributionConfig, liveWebAcl, referencedLogicalId, referencedResource } from '../../lib/edge/live-template';
import type { DeployedStack, TemplateRef } from '../../lib/verify/deployed-stacks';
import type { VerifySettings } from '../../lib/verify/settings';
import { VerifyContext } from '../../lib/verify/verify-context';

// The template readers of the edge live checks (lib/edge/live-template.ts) on their own: which
// resource an intrinsic points at, a WAF action's name, the canonical JSON the checks compare,
// and the live web ACL and distribution config behind a template resource.

describe('referencedLogicalId', () => {
  it('Ref, Fn::GetAtt as a list or as "Id.Attr"; anything else is no reference', () => {
    expect(referencedLogicalId({ Ref: 'Acl' })).toBe('Acl');
    expect(referencedLogicalId({ 'Fn::GetAtt': ['Acl', 'Arn'] })).toBe('Acl');
    expect(referencedLogicalId({ 'Fn::GetAtt': 'Acl.Arn' })).toBe('Acl');
    for (const v of [undefined, null, '', 'Acl', 0, 7, true, [], ['Acl'], {}, { Ref: 1 }, { 'Fn::GetAtt': [1, 'Arn'] }, { 'Fn::GetAtt': 2 }, { 'Fn::Sub': 'Acl' }]) {
      expect({ v, id: referencedLogicalId(v) }).toEqual({ v, id: undefined });
    }
  });
});

describe('referencedResource', () => {
  const stack = { template: { Resources: { Acl: { Type: 'AWS::WAFv2::WebACL' } } } } as unknown as TemplateRef['stack'];
  const ref = { stack, logicalId: 'Dist', resource: { Type: 'AWS::CloudFront::Distribution' } } as TemplateRef;
  it("the stack's resource a reference points at, with its id; none for a reference outside the stack or no reference", () => {
    expect(referencedResource(ref, { Ref: 'Acl' })).toEqual({ stack, logicalId: 'Acl', resource: { Type: 'AWS::WAFv2::WebACL' } });
    expect(referencedResource(ref, { Ref: 'Gone' })).toBeUndefined();
    expect(referencedResource(ref, 'arn:aws:wafv2:us-east-1:1:global/webacl/x/y')).toBeUndefined();
    // A stack whose template has no Resources at all.
    expect(referencedResource({ ...ref, stack: { template: {} } as unknown as TemplateRef['stack'] }, { Ref: 'Acl' })).toBeUndefined();
  });
});

describe('actionName and canonical', () => {
  it('an action object is named by its keys, "(empty)" when it has none, "(none)" for anything else', () => {
    expect(actionName({ Block: {} })).toBe('Block');
    expect(actionName({ Count: {}, Captcha: {} })).toBe('Count+Captcha');
    expect(actionName({})).toBe('(empty)');
    for (const v of [undefined, null, '', 'Block', 1]) expect(actionName(v)).toBe('(none)');
  });

  it('canonical JSON: object keys sorted at every depth, arrays kept in order, undefined as null', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonical(undefined)).toBe('null');
    expect(canonical([{ y: 1, x: 2 }])).toBe('[{"x":2,"y":1}]');
  });
});

describe('liveWebAcl and liveDistributionConfig: the live resources behind the template, fetched once per run', () => {
  const ACL_ARN = 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/oc-acme-prod/a1b2';
  const cfn = mockClient(CloudFormationClient);
  const waf = mockClient(WAFV2Client);
  const cf = mockClient(CloudFrontClient);
  afterAll(() => {
    cfn.restore();
    waf.restore();
    cf.restore();
  });
  const stack = (name: string): DeployedStack => ({
    stackName: name,
    role: 'edge',
    region: 'us-east-1',
    template: { Resources: { Acl: { Type: 'AWS::WAFv2::WebACL' }, Acl2: { Type: 'AWS::WAFv2::WebACL' }, Dist: { Type: 'AWS::CloudFront::Distribution' } } as Record<string, TemplateResource> },
  });
  function context(physical: Record<string, string>, stacks = [stack('oc-acme-prod-edge')]): VerifyContext {
    cfn.reset();
    waf.reset();
    cf.reset();
    cfn.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: Object.entries(physical).map(([LogicalResourceId, PhysicalResourceId]) => ({ LogicalResourceId, PhysicalResourceId, ResourceType: 'x', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(0) })),
    });
    return new VerifyContext({ name: 'oc-acme-prod', account: '111122223333', region: 'eu-west-1', stacks, settings: {} as VerifySettings, options: { writeProbes: false, now: new Date(0) } });
  }
  const refOf = (c: VerifyContext, id: string, s = 0): TemplateRef => ({ stack: c.stacks[s]!, logicalId: id, resource: c.stacks[s]!.template.Resources![id]! });

  it("asks GetWebACL by the name, ID and scope of the web ACL's physical ID, once per web ACL", async () => {
    const c = context({ Acl: 'oc-acme-prod|a1b2|CLOUDFRONT', Acl2: 'other|c3d4|CLOUDFRONT' });
    waf.on(GetWebACLCommand).callsFake((input: { Name: string }) => ({ WebACL: { Name: input.Name, Id: 'x', ARN: `${ACL_ARN}-${input.Name}`, DefaultAction: { Allow: {} }, VisibilityConfig: undefined as never } }));
    const first = await liveWebAcl(c, refOf(c, 'Acl'));
    expect(first.ARN).toBe(`${ACL_ARN}-oc-acme-prod`);
    expect(await liveWebAcl(c, refOf(c, 'Acl'))).toBe(first);
    expect((await liveWebAcl(c, refOf(c, 'Acl2'))).ARN).toBe(`${ACL_ARN}-other`);
    expect(waf.commandCalls(GetWebACLCommand).map((x) => x.args[0].input)).toEqual([
      { Name: 'oc-acme-prod', Id: 'a1b2', Scope: 'CLOUDFRONT' },
      { Name: 'other', Id: 'c3d4', Scope: 'CLOUDFRONT' },
    ]);
  });

  it('the same logical ID in two stacks is two web ACLs', async () => {
    const c = context({ Acl: 'oc-acme-prod|a1b2|CLOUDFRONT' }, [stack('oc-acme-prod-edge'), stack('oc-acme-dev-edge')]);
    waf.on(GetWebACLCommand).resolves({ WebACL: { Name: 'n', Id: 'i', ARN: ACL_ARN, DefaultAction: { Allow: {} }, VisibilityConfig: undefined as never } });
    await liveWebAcl(c, refOf(c, 'Acl', 0));
    await liveWebAcl(c, refOf(c, 'Acl', 1));
    expect(waf.commandCalls(GetWebACLCommand)).toHaveLength(2);
  });

  it('a physical ID without its three parts, and an answer without a web ACL or its ARN, are errors naming them', async () => {
    for (const bad of ['oc-acme-prod|a1b2', '|a1b2|CLOUDFRONT', 'oc-acme-prod||CLOUDFRONT', 'oc-acme-prod']) {
      const c = context({ Acl: bad });
      await expect(liveWebAcl(c, refOf(c, 'Acl'))).rejects.toThrow(`Acl: unexpected web ACL physical ID ${bad} (expected name|id|scope)`);
    }
    for (const answer of [{}, { WebACL: { Name: 'oc-acme-prod', Id: 'a1b2' } }]) {
      const c = context({ Acl: 'oc-acme-prod|a1b2|CLOUDFRONT' });
      waf.on(GetWebACLCommand).resolves(answer as never);
      await expect(liveWebAcl(c, refOf(c, 'Acl'))).rejects.toThrow('GetWebACL oc-acme-prod returned no web ACL ARN');
    }
  });

  it("asks CloudFront (in us-east-1, its API's region) for the distribution's config by its ID, once; no config is an error", async () => {
    const c = context({ Dist: 'E2QWRUHAPOMQZL' });
    const regions: string[] = [];
    cf.on(GetDistributionConfigCommand).callsFake(async (_input, getClient) => {
      regions.push(await getClient().config.region());
      return { DistributionConfig: { Comment: 'gateway' }, ETag: 'E1' };
    });
    const got = await liveDistributionConfig(c, refOf(c, 'Dist'));
    expect(got).toEqual({ id: 'E2QWRUHAPOMQZL', config: { Comment: 'gateway' } });
    expect(await liveDistributionConfig(c, refOf(c, 'Dist'))).toBe(got);
    expect(cf.commandCalls(GetDistributionConfigCommand).map((x) => x.args[0].input)).toEqual([{ Id: 'E2QWRUHAPOMQZL' }]);
    expect(regions).toEqual(['us-east-1']);
    // Two distributions are two configs.
    const two = context({ Dist: 'E2QWRUHAPOMQZL', Dist2: 'E3OTHERDISTRIB' }, [{ ...stack('oc-acme-prod-edge'), template: { Resources: { Dist: { Type: 'AWS::CloudFront::Distribution' }, Dist2: { Type: 'AWS::CloudFront::Distribution' } } as Record<string, TemplateResource> } }]);
    cf.on(GetDistributionConfigCommand).callsFake((input: { Id: string }) => ({ DistributionConfig: { Comment: input.Id }, ETag: 'E1' }));
    expect((await liveDistributionConfig(two, refOf(two, 'Dist'))).config.Comment).toBe('E2QWRUHAPOMQZL');
    expect((await liveDistributionConfig(two, refOf(two, 'Dist2'))).config.Comment).toBe('E3OTHERDISTRIB');
    const c2 = context({ Dist: 'E2QWRUHAPOMQZL' });
    cf.on(GetDistributionConfigCommand).resolves({ ETag: 'E1' });
    await expect(liveDistributionConfig(c2, refOf(c2, 'Dist'))).rejects.toThrow('GetDistributionConfig E2QWRUHAPOMQZL returned no config');
  });
});
