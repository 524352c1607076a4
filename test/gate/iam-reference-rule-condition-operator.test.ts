import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { ConditionOperatorFits, misfit, parseOperator } from '../../lib/gate/iam-reference/rules/condition-operator';

// IAMReference-ConditionOperator, rule by rule: the operator table pinned
// operator by operator, the value checks at their edges, the qualifier and
// IfExists parsing and every message in full.

/** The rule's findings for one statement of a managed policy on a bare stack. */
function check(statement: Record<string, unknown>) {
  const stack = new Stack(new App(), 'S');
  const node = new CfnResource(stack, 'Policy', {
    type: 'AWS::IAM::ManagedPolicy',
    properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'T', ...statement }] } },
  });
  return ConditionOperatorFits.check(node);
}
const LABEL = 'statement "T" (#0) of PolicyDocument';

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const NUMERIC_OPS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'];
const DATE_OPS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
/** The operators IAM documents for each key type (what the message tells the author to use). */
const FITTING: Record<string, string[]> = {
  String: [...STRING_OPS, ...ARN_OPS],
  ARN: [...STRING_OPS, ...ARN_OPS],
  Numeric: NUMERIC_OPS,
  Date: DATE_OPS,
  Bool: ['Bool'],
  Binary: ['BinaryEquals'],
  IPAddress: ['IpAddress', 'NotIpAddress'],
};
const OPERATOR_TYPES: [string, string[]][] = [
  ...STRING_OPS.map((o): [string, string[]] => [o, ['String', 'ARN']]),
  ...NUMERIC_OPS.map((o): [string, string[]] => [o, ['Numeric']]),
  ...DATE_OPS.map((o): [string, string[]] => [o, ['Date']]),
  ['Bool', ['Bool']],
  ['BinaryEquals', ['Binary']],
  ['IpAddress', ['IPAddress']],
  ['NotIpAddress', ['IPAddress']],
  ...ARN_OPS.map((o): [string, string[]] => [o, ['ARN', 'String']]),
];
const valueFor = (operator: string) => (operator === 'Bool' ? 'true' : '1');

describe('the operator table: each operator fits exactly its key types', () => {
  test.each(OPERATOR_TYPES)('%s fits %j and no other type', (operator, fits) => {
    for (const type of Object.keys(FITTING)) {
      const expected = fits.includes(type)
        ? undefined
        : `${operator} does not fit k, whose type is ${type} in AWS's reference: use ${FITTING[type]!.join(', ')}`;
      expect([type, misfit(operator, 'k', valueFor(operator), type)]).toEqual([type, expected]);
    }
  });

  test('a type no operator fits is told to use Null', () => {
    expect(misfit('StringEquals', 'k', 'x', 'Unheard')).toBe('StringEquals does not fit k, whose type is Unheard in AWS\'s reference: use Null');
  });

  test('Null fits every type and takes "true" or "false"', () => {
    for (const type of [...Object.keys(FITTING), 'ArrayOfString', undefined]) expect(misfit('Null', 'k', 'true', type)).toBeUndefined();
  });

  test('a name outside the table is no operator, with or without qualifier and IfExists', () => {
    for (const operator of ['StringEqual', 'ForAnyValue:Frobnicate', 'NumericEqualsIfExist', 'Nul', 'IfExists', 'ForAllValues:', ''])
      expect(misfit(operator, 'k', 'x', 'String')).toBe(`${operator} is not an IAM condition operator`);
  });

  test('the empty operator is a finding, not a crash', () => {
    expect(check({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { '': { 'aws:username': 'a' } } })).toEqual([
      { id: ' on aws:username', message: `${LABEL}:  is not an IAM condition operator` },
    ]);
  });
});

describe('qualifier and IfExists parsing', () => {
  test.each([
    ['StringEquals', undefined, 'StringEquals', false],
    ['StringEqualsIfExists', undefined, 'StringEquals', true],
    ['ForAnyValue:StringLike', 'ForAnyValue:', 'StringLike', false],
    ['ForAllValues:StringLikeIfExists', 'ForAllValues:', 'StringLike', true],
    ['Null', undefined, 'Null', false],
    ['xForAnyValue:StringEquals', undefined, 'xForAnyValue:StringEquals', false],
  ])('%s', (operator, qualifier, base, ifExists) => {
    const parsed = parseOperator(operator);
    expect({ qualifier: parsed.qualifier, base: parsed.base, ifExists: parsed.ifExists }).toEqual({ qualifier, base, ifExists });
  });

  test('a multivalued key needs a set qualifier; a single-valued key takes none', () => {
    expect(misfit('StringEquals', 'aws:TagKeys', 'a', 'ArrayOfString')).toBe(
      'aws:TagKeys is multivalued (ArrayOfString) in AWS\'s reference: use ForAnyValue: or ForAllValues: with StringEquals',
    );
    expect(misfit('ForAnyValue:StringEquals', 'aws:TagKeys', 'a', 'ArrayOfString')).toBeUndefined();
    expect(misfit('ForAllValues:StringLikeIfExists', 'aws:TagKeys', 'a', 'ArrayOfString')).toBeUndefined();
    expect(misfit('ForAllValues:StringEquals', 'aws:username', 'a', 'String')).toBe(
      'aws:username is single-valued (String) in AWS\'s reference: drop the set qualifier ForAllValues:',
    );
    expect(misfit('StringEqualsIfExists', 'aws:username', 'a', 'String')).toBeUndefined();
  });

  test('a qualified operator of the wrong type on a multivalued key names the fitting operators, with a set qualifier', () => {
    expect(misfit('ForAnyValue:NumericEquals', 'aws:TagKeys', '1', 'ArrayOfString')).toBe(
      `NumericEquals does not fit aws:TagKeys, whose type is ArrayOfString in AWS's reference: use ${FITTING.String!.join(', ')} (with a set qualifier)`,
    );
    expect(misfit('ForAnyValue:Bool', 'k', 'true', 'ArrayOfBool')).toBeUndefined();
  });

  test('only a leading ArrayOf marks a multivalued type', () => {
    expect(misfit('StringEquals', 'k', 'a', 'StringArrayOf')).toBe('StringEquals does not fit k, whose type is StringArrayOf in AWS\'s reference: use Null');
  });

  test('Null takes neither IfExists nor a set qualifier', () => {
    expect(misfit('NullIfExists', 'k', 'true', 'String')).toBe('NullIfExists: Null takes neither IfExists nor a set qualifier');
    expect(misfit('ForAnyValue:Null', 'k', 'true', 'ArrayOfString')).toBe('ForAnyValue:Null: Null takes neither IfExists nor a set qualifier');
  });
});

describe('values fit the operator', () => {
  test.each([
    ['true', true], ['false', true], ['TRUE', true], ['False', true], [true, true], [false, true],
    ['truex', false], ['xtrue', false], ['', false], ['1', false], [1, false], [null, false], ['yes', false],
  ])('Bool and Null with %j: fits %s', (value, fits) => {
    expect(misfit('Bool', 'k', value, 'Bool')).toBe(fits ? undefined : `Bool on k needs "true" or "false", found ${JSON.stringify(value)}`);
    expect(misfit('Null', 'k', value, 'Bool')).toBe(fits ? undefined : `Null on k needs "true" or "false", found ${JSON.stringify(value)}`);
  });

  test.each([
    ['1', true], [' 1 ', true], ['1e3', true], ['-2.5', true], [7, true],
    ['', false], ['   ', false], ['abc', false], ['1x', false], [true, false], [null, false],
  ])('NumericEquals with %j: fits %s', (value, fits) => {
    expect(misfit('NumericLessThan', 'k', value, 'Numeric')).toBe(fits ? undefined : `NumericLessThan on k needs numbers, found ${JSON.stringify(value)}`);
  });

  test('every value of a list must fit, not just one', () => {
    expect(misfit('Bool', 'k', ['true', 'x'], 'Bool')).toBe('Bool on k needs "true" or "false", found ["true","x"]');
    expect(misfit('Null', 'k', ['false', 'x'], 'Bool')).toBe('Null on k needs "true" or "false", found ["false","x"]');
    expect(misfit('NumericEqualsIfExists', 'k', ['1', 'x'], 'Numeric')).toBe('NumericEqualsIfExists on k needs numbers, found ["1","x"]');
    expect(misfit('Bool', 'k', ['true', 'FALSE'], 'Bool')).toBeUndefined();
  });

  test('intrinsics (objects) in a value list are left out; null is checked', () => {
    const ref = { Ref: 'P' };
    expect(misfit('Bool', 'k', ['true', ref], 'Bool')).toBeUndefined();
    expect(misfit('NumericEquals', 'k', [ref, '2'], 'Numeric')).toBeUndefined();
    expect(misfit('Null', 'k', ref, undefined)).toBeUndefined();
    expect(misfit('Bool', 'k', ['true', null], 'Bool')).toBe('Bool on k needs "true" or "false", found ["true",null]');
  });

  test('values are checked even for a key AWS does not document; its type is not', () => {
    expect(misfit('Bool', 'k', 'x', undefined)).toBe('Bool on k needs "true" or "false", found "x"');
    expect(misfit('StringEquals', 'k', 'x', undefined)).toBeUndefined();
  });
});

describe('aws:EpochTime is a date numeric operators also fit', () => {
  test('numeric operators fit aws:EpochTime in any case; string operators do not', () => {
    expect(misfit('NumericLessThan', 'aws:EpochTime', '1700000000', 'Date')).toBeUndefined();
    expect(misfit('NumericGreaterThan', 'AWS:EPOCHTIME', '1', 'Date')).toBeUndefined();
    expect(misfit('DateLessThan', 'aws:EpochTime', '1', 'Date')).toBeUndefined();
    expect(misfit('StringEquals', 'aws:EpochTime', '1', 'Date')).toBe(
      `StringEquals does not fit aws:EpochTime, whose type is Date in AWS's reference: use ${DATE_OPS.join(', ')}`,
    );
  });

  test('other dates take no numeric operator', () => {
    expect(misfit('NumericLessThan', 'aws:CurrentTime', '1', 'Date')).toBe(
      `NumericLessThan does not fit aws:CurrentTime, whose type is Date in AWS's reference: use ${DATE_OPS.join(', ')}`,
    );
  });
});

describe('the rule on a statement', () => {
  test('each misfit is a finding named by operator and key, with the statement', () => {
    expect(
      check({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SecureTransport': 'true', 'aws:username': 'a' }, NumericLessThan: { 'aws:EpochTime': '1' } },
      }),
    ).toEqual([{ id: 'StringEquals on aws:SecureTransport', message: `${LABEL}: StringEquals does not fit aws:SecureTransport, whose type is Bool in AWS's reference: use Bool` }]);
  });

  // ec2:osuser is documented only by ec2-instance-connect, so its type comes from the statement's actions.
  const osuser = { NumericEquals: { 'ec2:osuser': '1' } };
  const osuserFinding = [
    { id: 'NumericEquals on ec2:osuser', message: `${LABEL}: NumericEquals does not fit ec2:osuser, whose type is String in AWS's reference: use ${FITTING.String!.join(', ')}` },
  ];
  test('a key is typed by the services of the statement\'s Action', () => {
    expect(check({ Effect: 'Allow', Action: ['*', 'GetObject', 'ec2-instance-connect:SendSSHPublicKey'], Resource: '*', Condition: osuser })).toEqual(osuserFinding);
  });
  test('a key is typed by the services of the statement\'s NotAction', () => {
    expect(check({ Effect: 'Deny', NotAction: 'ec2-instance-connect:SendSSHPublicKey', Resource: '*', Condition: osuser })).toEqual(osuserFinding);
  });
  test('without such a service the key is untyped (IAMReference-ConditionKey reports it)', () => {
    expect(check({ Effect: 'Allow', Action: ['*', 'GetObject', 's3:GetObject'], Resource: '*', Condition: osuser })).toEqual([]);
  });

  test('the rule\'s id, info and explanation', () => {
    expect({ id: ConditionOperatorFits.id, info: ConditionOperatorFits.info, explanation: ConditionOperatorFits.explanation }).toEqual({
      id: 'ConditionOperator',
      info: 'A condition operator does not fit the type of the key it tests.',
      explanation:
        'An operator of the wrong type (a string operator on a Bool key, a single-value operator on a multivalued key, a set qualifier on a single-valued key) ' +
        'does not test what it says. Key types come from AWS\'s service authorization reference and global condition key reference.',
    });
  });
});
