import { actionName, canonical, referencedLogicalId, referencedResource } from '../../lib/edge/live-template';
import type { TemplateRef } from '../../lib/verify/deployed-stacks';

// The template readers of the edge live checks (lib/edge/live-template.ts) on their own: which
// resource an intrinsic points at, a WAF action's name, and the canonical JSON the checks compare.

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
