import { normalPolicy, normalStatement, policyDifferences } from '../../lib/secrets/live-policy';

// Policies compared by meaning (lib/secrets/live-policy.ts): what AWS may return for a stored
// policy (GetResourcePolicy, GetBucketPolicy) against the template's, each normalization on
// its own, and each phrase of a difference.

describe('normalStatement', () => {
  it('keeps Effect and a non-empty Sid; lists sorted, scalars as strings', () => {
    expect(normalStatement({ Sid: 'A', Effect: 'Allow', Action: ['s:b', 's:a'], Resource: 'r' })).toEqual({ Sid: 'A', Effect: 'Allow', Action: ['s:a', 's:b'], Resource: ['r'] });
    expect(normalStatement({ Sid: '', Effect: 'Deny', Action: 's:a' })).toEqual({ Effect: 'Deny', Action: ['s:a'] });
    expect(normalStatement({ Effect: 'Deny', NotAction: ['s:b', 's:a'], NotResource: 'x' })).toEqual({ Effect: 'Deny', NotAction: ['s:a', 's:b'], NotResource: ['x'] });
    // Only the policy elements: anything else AWS or a template adds is not compared.
    expect(normalStatement({ Effect: 'Allow', Unknown: 'x' })).toEqual({ Effect: 'Allow' });
  });

  it('"*" and {"AWS": "*"} are the same principal; principal kinds in order, their lists sorted', () => {
    expect(normalStatement({ Effect: 'Allow', Principal: '*' })).toEqual({ Effect: 'Allow', Principal: { AWS: ['*'] } });
    expect(normalStatement({ Effect: 'Allow', Principal: { AWS: '*' } })).toEqual({ Effect: 'Allow', Principal: { AWS: ['*'] } });
    expect(normalStatement({ Effect: 'Allow', Principal: { Service: 'b.amazonaws.com', AWS: ['arn:2', 'arn:1'] } })).toStrictEqual({ Effect: 'Allow', Principal: { AWS: ['arn:1', 'arn:2'], Service: ['b.amazonaws.com'] } });
    expect(Object.keys(normalStatement({ Effect: 'Allow', Principal: { Service: 's', AWS: 'a', Federated: 'f' } }).Principal as object)).toEqual(['AWS', 'Federated', 'Service']);
    expect(normalStatement({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:1' } })).toEqual({ Effect: 'Deny', NotPrincipal: { AWS: ['arn:1'] } });
  });

  it('conditions: operators and keys in order, keys in lower case, values as sorted strings', () => {
    const n = normalStatement({ Effect: 'Deny', Condition: { StringNotEquals: { 'AWS:SourceAccount': ['2', '1'], 'aws:PrincipalArn': 'p' }, Bool: { 'aws:SecureTransport': false } } });
    expect(n).toEqual({ Effect: 'Deny', Condition: { Bool: { 'aws:securetransport': ['false'] }, StringNotEquals: { 'aws:principalarn': ['p'], 'aws:sourceaccount': ['1', '2'] } } });
    const c = n.Condition as Record<string, Record<string, unknown>>;
    expect(Object.keys(c)).toEqual(['Bool', 'StringNotEquals']);
    expect(Object.keys(c.StringNotEquals!)).toEqual(['aws:principalarn', 'aws:sourceaccount']);
  });
});

describe('normalPolicy', () => {
  it('reads a JSON string or a document; one statement or a list; none', () => {
    const s = { Effect: 'Allow', Action: 's:a' };
    expect(normalPolicy(JSON.stringify({ Statement: [s] }))).toEqual([{ Effect: 'Allow', Action: ['s:a'] }]);
    expect(normalPolicy({ Statement: s })).toEqual([{ Effect: 'Allow', Action: ['s:a'] }]);
    expect(normalPolicy({ Version: '2012-10-17' })).toEqual([]);
  });

  it('orders statements the same whatever order they came in', () => {
    const a = { Sid: 'A', Effect: 'Allow', Action: 's:a' };
    const b = { Sid: 'B', Effect: 'Deny', Action: 's:b' };
    expect(normalPolicy({ Statement: [b, a] })).toEqual(normalPolicy({ Statement: [a, b] }));
    expect(normalPolicy({ Statement: [b, a] }).map((x) => x.Sid)).toEqual(['A', 'B']);
  });
});

describe('policyDifferences', () => {
  const expected = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyOthers', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalArn': ['arn:aws:iam::1:role/host'] } } },
      { Effect: 'Deny', Principal: { AWS: '*' }, NotAction: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: '*' },
    ],
  };

  it('none for the same meaning written as AWS stores it', () => {
    const stored = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: { AWS: ['*'] }, NotAction: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: ['*'] },
        { Sid: 'DenyOthers', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['secretsmanager:GetSecretValue'], Resource: '*', Condition: { StringNotEquals: { 'AWS:PrincipalArn': 'arn:aws:iam::1:role/host' } } },
      ],
    });
    expect(policyDifferences(stored, expected)).toEqual([]);
  });

  it('a statement with a Sid that changed: its differing elements, each with the live value', () => {
    const live = { Statement: [{ ...expected.Statement[0], Principal: { AWS: 'arn:aws:iam::1:root' }, Condition: undefined }, expected.Statement[1]] };
    expect(policyDifferences(live, expected)).toEqual(['statement DenyOthers differs in Principal, Condition: Principal {"AWS":["arn:aws:iam::1:root"]}; Condition (none)']);
  });

  it('a statement without a Sid that changed is one missing and one extra, labelled by its position (in the normal order), effect and actions', () => {
    const live = { Statement: [expected.Statement[0], { ...expected.Statement[1], Resource: 'arn:x' }] };
    expect(policyDifferences(live, expected)).toEqual([
      'statement #1 (Deny secretsmanager:DescribeSecret,secretsmanager:GetSecretValue) missing',
      'extra statement #1 (Deny secretsmanager:DescribeSecret,secretsmanager:GetSecretValue): {"Effect":"Deny","NotAction":["secretsmanager:DescribeSecret","secretsmanager:GetSecretValue"],"Resource":["arn:x"],"Principal":{"AWS":["*"]}}',
    ]);
  });

  it('a statement missing, and an extra one with a Sid that the template does not have', () => {
    expect(policyDifferences({ Statement: [expected.Statement[1]] }, expected)).toEqual(['statement DenyOthers missing']);
    const extra = { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' };
    expect(policyDifferences({ Statement: [...expected.Statement, extra] }, expected)).toEqual([
      'extra statement Open: {"Effect":"Allow","Sid":"Open","Action":["secretsmanager:GetSecretValue"],"Resource":["*"],"Principal":{"AWS":["*"]}}',
    ]);
  });

  it('an extra statement without a Sid is not taken for a changed one of a missing statement without a Sid', () => {
    const a = { Effect: 'Allow', Action: 's:a' };
    const b = { Effect: 'Allow', Action: 's:b' };
    expect(policyDifferences({ Statement: [b] }, { Statement: [a] })).toEqual(['statement #1 (Allow s:a) missing', 'extra statement #1 (Allow s:b): {"Effect":"Allow","Action":["s:b"]}']);
  });

  it('a statement under another Sid is one missing and one extra, not a change of either', () => {
    const a = { Sid: 'A', Effect: 'Allow', Action: 's:a' };
    const b = { Sid: 'B', Effect: 'Allow', Action: 's:a' };
    expect(policyDifferences({ Statement: [b] }, { Statement: [a] })).toEqual(['statement A missing', 'extra statement B: {"Effect":"Allow","Sid":"B","Action":["s:a"]}']);
  });

  it('a missing statement without a Sid and without actions is labelled by its effect alone', () => {
    expect(policyDifferences({ Statement: [] }, { Statement: [{ Effect: 'Deny', Principal: '*' }] })).toEqual(['statement #1 (Deny ) missing']);
  });

  it('a live policy with no statements: each expected one is missing', () => {
    expect(policyDifferences('{"Version":"2012-10-17","Statement":[]}', expected)).toEqual([
      'statement #1 (Deny secretsmanager:DescribeSecret,secretsmanager:GetSecretValue) missing',
      'statement DenyOthers missing',
    ]);
  });
});
