import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ActionExists } from '../../lib/gate/iam-reference/rules/action-exists';

// IAMReference-Action on tiny resources of a bare stack: the Lambda permission's
// lone Action (string or intrinsic), its message in full, and the rule's texts.

function permission(action: unknown) {
  const stack = new Stack(new App(), 'S');
  return new CfnResource(stack, 'Permission', {
    type: 'AWS::Lambda::Permission',
    properties: { Action: action, FunctionName: 'f', Principal: 'sns.amazonaws.com' },
  });
}

test('a Lambda permission\'s unknown Action is a finding named by the action, with the full reason', () => {
  expect(ActionExists.check(permission('lambda:InvokeFunctions'))).toEqual([
    {
      id: 'lambda:InvokeFunctions',
      message: 'Action of the Lambda permission lambda:InvokeFunctions: AWS\'s service authorization reference lists no action InvokeFunctions for lambda',
    },
  ]);
  expect(ActionExists.check(permission('lambda:InvokeFunction'))).toEqual([]);
});

test('a Lambda permission whose Action is an intrinsic is left alone (it cannot be checked at synth)', () => {
  expect(ActionExists.check(permission({ Ref: 'ActionParameter' }))).toEqual([]);
  expect(ActionExists.check(permission({ 'Fn::Join': ['', ['lambda:', 'InvokeFunction']] }))).toEqual([]);
});

test('the rule\'s id, info and explanation', () => {
  expect({ id: ActionExists.id, info: ActionExists.info, explanation: ActionExists.explanation }).toEqual({
    id: 'Action',
    info: 'A policy names an action that AWS does not have.',
    explanation:
      'IAM ignores an action that does not exist, so the statement grants or denies less than it says. Actions are checked against AWS\'s service authorization reference.',
  });
});
