import type { TemplateResource } from '../../lib/compliance/control';
import { launchTemplateOf, refersTo, resourcesOfType } from '../../lib/compliance/refs';

// The template reference helpers the controls share.
test.each<[string, unknown, boolean]>([
  ['Ref to the id', { Ref: 'B' }, true],
  ['GetAtt on the id', { 'Fn::GetAtt': ['B', 'Arn'] }, true],
  ['Ref to another id', { Ref: 'C' }, false],
  ['GetAtt on another id', { 'Fn::GetAtt': ['C', 'Arn'] }, false],
  ['GetAtt in string form on a longer id starting with it', { 'Fn::GetAtt': 'Bucket.Arn' }, false],
  ['the id as a literal string', 'B', false],
  ['null', null, false],
  ['undefined', undefined, false],
  ['an object with neither', { 'Fn::Sub': 'B' }, false],
])('refersTo B: %s', (_name, value, expected) => {
  expect(refersTo(value, 'B')).toBe(expected);
});

const LT: TemplateResource = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: {} } };
const OTHER_LT: TemplateResource = { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { x: 1 } } };
const instance = (launchTemplate?: unknown): TemplateResource => ({ Type: 'AWS::EC2::Instance', ...(launchTemplate === undefined ? {} : { Properties: { LaunchTemplate: launchTemplate } }) });
const ctx = (resources: Record<string, TemplateResource>) => ({ logicalId: 'I', resources });

test('resourcesOfType returns the resources of exactly that type, in template order', () => {
  const resources = { A: LT, I: instance(), B: OTHER_LT, C: { Type: 'AWS::EC2::LaunchTemplateVersion' } };
  expect(resourcesOfType(ctx(resources), 'AWS::EC2::LaunchTemplate')).toEqual([LT, OTHER_LT]);
  expect(resourcesOfType(ctx(resources), 'AWS::S3::Bucket')).toEqual([]);
});

test.each<[string, TemplateResource, Record<string, TemplateResource>, TemplateResource | undefined]>([
  ['by Ref', instance({ LaunchTemplateId: { Ref: 'Lt' } }), { Other: OTHER_LT, Lt: LT }, LT],
  ['by GetAtt', instance({ LaunchTemplateId: { 'Fn::GetAtt': ['Lt', 'LaunchTemplateId'] } }), { Other: OTHER_LT, Lt: LT }, LT],
  ['the referenced id is not a launch template', instance({ LaunchTemplateId: { Ref: 'Lt' } }), { Lt: { ...LT, Type: 'AWS::EC2::Volume' } }, undefined],
  ['the referenced id is absent', instance({ LaunchTemplateId: { Ref: 'Lt' } }), { Other: OTHER_LT }, undefined],
  ['by name, not id', instance({ LaunchTemplateName: 'lt' }), { Lt: LT }, undefined],
  ['an instance without properties', instance(), { Lt: LT }, undefined],
  ['an instance without a launch template', { Type: 'AWS::EC2::Instance', Properties: {} }, { Lt: LT }, undefined],
])('launchTemplateOf: %s', (_name, inst, resources, expected) => {
  expect(launchTemplateOf(inst, ctx({ I: inst, ...resources }))).toBe(expected);
});
