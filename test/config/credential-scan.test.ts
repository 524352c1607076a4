import { detectCredential, scanLayerForCredentials, shannonEntropy } from '../../lib/config/credential-scan';
import type { ConfigLayer } from '../../lib/config/yaml-source';
import { ALNUM_UPPER, MIXED, pseudoRandom } from '../support/pseudo-random';

// Every credential-shaped string is assembled at runtime so that no
// real-looking secret sits in the source (and secret scanners stay quiet).


describe('shannonEntropy', () => {
  test.each([
    ['', 0],
    ['aaaaaaaa', 0],
    ['ab', 1],
    ['abab', 1],
    ['abcd', 2],
    ['abcdefgh', 3],
    ['0123456789abcdef', 4],
  ])('%j has %d bits per character', (s, bits) => {
    expect(shannonEntropy(s)).toBeCloseTo(bits, 10);
  });

  test('does not depend on character order', () => {
    expect(shannonEntropy('aabbbc')).toBeCloseTo(shannonEntropy('bcabab'), 12);
  });

  test('a skewed distribution has less entropy than a uniform one of the same alphabet', () => {
    // p = 3/4, 1/4 -> 0.8113 bits
    expect(shannonEntropy('aaab')).toBeCloseTo(0.8113, 4);
    expect(shannonEntropy('aaab')).toBeLessThan(shannonEntropy('aabb'));
  });

  test('a 40-character mixed-case random token is above 4 bits per character', () => {
    expect(shannonEntropy(pseudoRandom(40, 7, MIXED))).toBeGreaterThan(4);
  });
});

describe('detectCredential: known formats', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['AWS access key ID (AKIA)', 'AKIA' + pseudoRandom(16, 1, ALNUM_UPPER), 'an AWS access key ID'],
    ['AWS temporary key ID (ASIA)', 'ASIA' + pseudoRandom(16, 2, ALNUM_UPPER), 'an AWS access key ID'],
    ['AWS key ID inside a longer string', 'aws_access_key_id=' + 'AKIA' + 'Z'.repeat(4) + '2345ABCDEFGH', 'an AWS access key ID'],
    ['RSA private key block', '-----BEGIN ' + 'RSA PRIVATE KEY-----\nMIIEow...', 'a private key block'],
    ['PKCS#8 private key block', '-----BEGIN ' + 'PRIVATE KEY-----', 'a private key block'],
    ['OpenSSH private key block', '-----BEGIN ' + 'OPENSSH PRIVATE KEY-----', 'a private key block'],
    ['EC private key block', '-----BEGIN ' + 'EC PRIVATE KEY-----', 'a private key block'],
    ['PGP private key block', '-----BEGIN ' + 'PGP PRIVATE KEY BLOCK-----', 'a private key block'],
    ['Anthropic API key', 'sk-' + 'ant-' + 'api03-' + 'x'.repeat(30), 'an Anthropic API key'],
    ['OpenAI project key', 'sk-' + 'proj-' + pseudoRandom(40, 3, MIXED), 'an OpenAI-style API key (sk-...)'],
    ['OpenAI legacy key', 'sk-' + pseudoRandom(48, 4, MIXED), 'an OpenAI-style API key (sk-...)'],
    ['OpenRouter key', 'sk-' + 'or-v1-' + 'a1'.repeat(32), 'an OpenAI-style API key (sk-...)'],
    ['Google API key', 'AIza' + 'S'.repeat(35), 'a Google API key'],
    ['GitHub classic token', 'gh' + 'p_' + pseudoRandom(36, 5, MIXED), 'a GitHub token'],
    ['GitHub fine-grained token', 'github' + '_pat_' + pseudoRandom(22, 6, MIXED), 'a GitHub token'],
    ['Slack bot token', 'xox' + 'b-' + '1234567890-' + '0987654321-' + 'q'.repeat(24), 'a Slack token'],
    ['Slack app token', 'xa' + 'pp-' + '1-A0123456789-' + '1234567890', 'a Slack token'],
    ['Slack webhook URL', 'https://hooks.slack.com/services/' + 'T0000/B0000/' + 'X'.repeat(24), 'a Slack webhook URL'],
    ['Discord webhook URL', 'https://discord.com/api/webhooks/' + '123456789012345678/' + 'w'.repeat(40), 'a Discord webhook URL'],
    ['Telegram bot token', '123456789' + ':' + 'AAH' + 'z'.repeat(32), 'a Telegram bot token'],
    ['Discord bot token', 'M' + 'T'.repeat(23) + '.' + 'G'.repeat(6) + '.' + 'h'.repeat(27), 'a Discord bot token'],
    ['Stripe live key', 'sk' + '_live_' + 'Z'.repeat(24), 'a Stripe key'],
    ['Hugging Face token', 'h' + 'f_' + 'k'.repeat(34), 'a Hugging Face token'],
    ['Groq key', 'gs' + 'k_' + 'g'.repeat(40), 'a Groq or xAI API key'],
    ['xAI key', 'xa' + 'i-' + 'g'.repeat(40), 'a Groq or xAI API key'],
    ['JSON Web Token', 'ey' + 'JhbGciOiJIUzI1NiJ9' + '.' + 'ey' + 'JzdWIiOiIxMjM0In0' + '.' + 'c2lnbmF0dXJl', 'a JSON Web Token'],
  ];

  test.each(cases)('%s', (_name, value, kind) => {
    expect(detectCredential(value)).toBe(kind);
  });

  test('an access key ID needs exactly 16 characters after the prefix', () => {
    expect(detectCredential('AKIA' + 'Y'.repeat(15))).toBeUndefined();
    expect(detectCredential('AKIA' + 'Y'.repeat(17))).toBeUndefined();
    expect(detectCredential('AKIA' + 'Y'.repeat(16))).toBe('an AWS access key ID');
  });

  // Each pattern's length rule, pinned at the boundary: the shortest value
  // of the format is caught and one character less is not (and nothing else
  // catches the near miss: the fill is a single character, far from random).
  test.each([
    ['Anthropic API key', 'sk-' + 'ant-', 'x', 20, 'an Anthropic API key'],
    ['OpenAI project key', 'sk-' + 'proj-', 'x', 20, 'an OpenAI-style API key (sk-...)'],
    ['OpenAI legacy key', 'sk-', 'x', 32, 'an OpenAI-style API key (sk-...)'],
    ['GitHub classic token', 'gh' + 'p_', 'x', 36, 'a GitHub token'],
    ['GitHub fine-grained token', 'github' + '_pat_', 'x', 22, 'a GitHub token'],
    ['Slack bot token', 'xox' + 'b-', '1', 10, 'a Slack token'],
    ['Discord webhook URL', 'https://discord.com/api/webhooks/' + '123456789012345678/', 'w', 20, 'a Discord webhook URL'],
    ['Discord bot token', 'M' + 'T'.repeat(23) + '.' + 'G'.repeat(6) + '.', 'h', 27, 'a Discord bot token'],
    ['Stripe key', 'sk' + '_live_', 'Z', 16, 'a Stripe key'],
    ['Hugging Face token', 'h' + 'f_', 'k', 30, 'a Hugging Face token'],
    ['Groq key', 'gs' + 'k_', 'g', 30, 'a Groq or xAI API key'],
    ['xAI key', 'xa' + 'i-', 'g', 30, 'a Groq or xAI API key'],
    ['JSON Web Token', 'ey' + 'J' + 'a'.repeat(8) + '.' + 'ey' + 'J' + 'b'.repeat(8) + '.', 'c', 8, 'a JSON Web Token'],
  ])('%s: %j followed by %j needs at least %d of them', (_name, prefix, fill, min, kind) => {
    expect(detectCredential(prefix + fill.repeat(min))).toBe(kind);
    expect(detectCredential(prefix + fill.repeat(min - 1))).toBeUndefined();
  });

  test('a Slack webhook URL needs a secret after the bot id', () => {
    expect(detectCredential('https://hooks.slack.com/services/' + 'T0000/B0000/' + 'X')).toBe('a Slack webhook URL');
    expect(detectCredential('https://hooks.slack.com/services/' + 'T0000/B0000/')).toBeUndefined();
  });

  test('a Discord bot token may have digits in each of its three parts', () => {
    const token = 'N' + 'z9'.repeat(12) + '.' + 'G7h2k4' + '.' + 'h5'.repeat(14);
    expect(detectCredential(token)).toBe('a Discord bot token');
  });

  test('a public key or certificate is not a private key', () => {
    expect(detectCredential('-----BEGIN ' + 'PUBLIC KEY-----')).toBeUndefined();
    expect(detectCredential('-----BEGIN ' + 'CERTIFICATE-----')).toBeUndefined();
  });

  test('an Anthropic key is reported as Anthropic, not as the more general sk- pattern', () => {
    expect(detectCredential('sk-' + 'ant-' + 'x'.repeat(30))).toBe('an Anthropic API key');
  });
});

describe('detectCredential: generated secrets by entropy', () => {
  test.each([
    [64, 10],
    [40, 11],
    [32, 12],
  ])('a %d-character random mixed-case token is flagged', (length, seed) => {
    const token = pseudoRandom(length, seed, MIXED);
    expect(token).toMatch(/[a-z]/);
    expect(token).toMatch(/[A-Z]/);
    expect(token).toMatch(/[0-9]/);
    expect(detectCredential(token)).toBe('a long random string (a generated secret or token)');
  });

  test('the shortest flagged token is 24 characters', () => {
    // 24 distinct characters of all three classes: log2(24) = 4.58 bits per character
    const [upper, lower, digits] = ['QZKBNLHW', 'mtxvrpdc', '72948365'];
    const token = [...upper].map((u, i) => `${u}${lower[i]}${digits[i]}`).join('');
    expect(new Set(token).size).toBe(24);
    expect(detectCredential(token)).toBe('a long random string (a generated secret or token)');
    expect(detectCredential(token.slice(1))).toBeUndefined();
  });

  test('a random token inside a sentence or URL is flagged', () => {
    const token = pseudoRandom(32, 21, MIXED);
    expect(detectCredential(`password is ${token} for now`)).toBe('a long random string (a generated secret or token)');
    expect(detectCredential(`https://api.example.com/hook?token=${token}`)).toBe('a long random string (a generated secret or token)');
  });

  test('a long token missing one character class is not flagged', () => {
    expect(detectCredential(pseudoRandom(40, 31, 'abcdefghijklmnopqrstuvwxyz0123456789'))).toBeUndefined();
    expect(detectCredential(pseudoRandom(40, 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'))).toBeUndefined();
  });

  test('a long random-looking token without upper case, or without lower case, is not flagged', () => {
    // every adjacent pair switches class, and the entropy is high: only the missing class keeps them out
    const lowerAndDigits = [...'qmxcvrtwhknpbsf'].map((ch, i) => `${ch}${i % 10}`).join('');
    const upperAndDigits = [...'QMXCVRTWHKNPBSF'].map((ch, i) => `${ch}${i % 10}`).join('');
    expect(detectCredential(lowerAndDigits)).toBeUndefined();
    expect(detectCredential(upperAndDigits)).toBeUndefined();
    expect(detectCredential(lowerAndDigits.slice(0, 29) + 'Q')).toBe('a long random string (a generated secret or token)');
  });

  test('an entropy of exactly 80 % of the most its length allows is enough', () => {
    // 32 characters, 16 symbols twice each: 4 bits = 0.8 * log2(32)
    const half = 'Qm7Kv2Nx9Hp4Wc8T';
    const token = half + half;
    expect(shannonEntropy(token)).toBe(0.8 * Math.log2(32));
    expect(detectCredential(token)).toBe('a long random string (a generated secret or token)');
    // one symbol three times and one once: a little less entropy
    expect(detectCredential(token.slice(0, 31) + 'Q')).toBeUndefined();
  });

  test('a class switch on exactly 40 % of adjacent pairs is enough', () => {
    // 26 distinct characters in 11 runs: 10 switches in 25 pairs; the first pair switches, the last does not
    const runs = ['Q', 'mtx', '7', 'KB', 'vr', '29', 'NL', 'pd', '48', 'HW', 'cefghjk'];
    const token = runs.join('');
    expect(token).toHaveLength(26);
    expect(new Set(token).size).toBe(26);
    expect(detectCredential(token)).toBe('a long random string (a generated secret or token)');
    // the first switch moved to the end: still 10 of 25
    expect(detectCredential(token.slice(1) + 'Q')).toBe('a long random string (a generated secret or token)');
    // the digit run turned lower case joins its neighbour: 9 of 25
    expect(detectCredential(token.replace('7', 'a'))).toBeUndefined();
  });

  test('the class switches that count are upper case to digit as much as to or from lower case', () => {
    // two lower-case letters, then upper case and digits alternating: 22 of 23 pairs switch
    const token = 'xq' + 'K7B2N9H4W8T1C6D0F5G3J2';
    expect(detectCredential(token)).toBe('a long random string (a generated secret or token)');
  });

  test('a long three-class token with low entropy is not flagged', () => {
    const veryLow = 'Aa1'.repeat(10);
    expect(shannonEntropy(veryLow)).toBeCloseTo(Math.log2(3), 10);
    expect(detectCredential(veryLow)).toBeUndefined();
    // 12 symbols used evenly: log2(12) = 3.58 bits, just under the 4-bit threshold
    const repeated = 'ABCDabcd1234'.repeat(3);
    expect(shannonEntropy(repeated)).toBeCloseTo(Math.log2(12), 10);
    expect(detectCredential(repeated)).toBeUndefined();
  });
});

describe('detectCredential: ordinary config values are not flagged', () => {
  test.each([
    ['UUID', '550e8400-e29b-41d4-a716-446655440000'],
    ['upper-case UUID', '550E8400-E29B-41D4-A716-446655440000'],
    ['sha256 hex digest', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['IAM role ARN', 'arn:aws:iam::123456789012:role/BreakGlassAdmin'],
    ['KMS key ARN', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['sentence', 'The deployment key rotates every 365 days, as agreed with Security.'],
    ['tag value', 'cost-center-engineering-team'],
    ['account ID', '123456789012'],
    ['region', 'eu-west-1'],
    ['e-mail', 'security@example.com'],
    ['URL', 'https://wiki.example.com/teams/platform/runbooks'],
    ['date', '2027-06-30'],
    ['word starting with sk-', 'sk-team'],
    ['empty string', ''],
  ])('%s', (_name, value) => {
    expect(detectCredential(value)).toBeUndefined();
  });
});

describe('scanLayerForCredentials', () => {
  const layer = (value: Record<string, unknown>, lines: Record<string, number>): ConfigLayer => ({
    file: 'config/clients/acme/client.yaml',
    value,
    lines: new Map(Object.entries(lines)),
  });

  test('reports every leak with file, line, key path and kind, never the value', () => {
    const anthropic = 'sk-' + 'ant-' + 'x'.repeat(30);
    const slack = 'xox' + 'b-' + '1234567890-' + 'q'.repeat(24);
    const problems = scanLayerForCredentials(
      layer(
        { tags: { ok: 'platform', token: anthropic }, exceptions: [{ reason: `see ${slack}` }] },
        { tags: 1, 'tags.ok': 2, 'tags.token': 3, exceptions: 4, 'exceptions[0]': 5, 'exceptions[0].reason': 5 },
      ),
    );

    expect(problems.map((p) => [p.file, p.line, p.path])).toEqual([
      ['config/clients/acme/client.yaml', 3, 'tags.token'],
      ['config/clients/acme/client.yaml', 5, 'exceptions[0].reason'],
    ]);
    expect(problems[0]?.message).toBe(
      'the value looks like an Anthropic API key. Credentials never live in config files: store the value in AWS Secrets Manager ' +
        '(docs/configuration.md, "Secrets never live in config") and remove it from this file and its git history.',
    );
    expect(problems[1]?.message).toMatch(/^the value looks like a Slack token\. .*AWS Secrets Manager/);
    const text = JSON.stringify(problems);
    expect(text).not.toContain(anthropic);
    expect(text).not.toContain(slack);
  });

  test('scans keys as well as values, and never prints the key: its path shows <redacted key>, its line is the key\'s', () => {
    const key = 'AKIA' + 'Q'.repeat(4) + '6789WXYZ2345';
    const problems = scanLayerForCredentials(layer({ tags: { [key]: 'x' } }, { tags: 6, [`tags.${key}`]: 7 }));
    expect(problems).toEqual([
      {
        file: 'config/clients/acme/client.yaml',
        line: 7,
        path: 'tags.<redacted key>',
        message:
          'the key looks like an AWS access key ID. Credentials never live in config files: store the value in AWS Secrets Manager ' +
          '(docs/configuration.md, "Secrets never live in config") and remove it from this file and its git history.',
      },
    ]);
  });

  test('ignores numbers, booleans and null', () => {
    expect(scanLayerForCredentials(layer({ kms: { rotationPeriodDays: 365 }, dataProtection: { retainOnDelete: true }, x: null }, {}))).toEqual([]);
  });

  test('a clean layer has no problems', () => {
    expect(
      scanLayerForCredentials(
        layer({ aws: { account: '123456789012', region: 'eu-west-1' }, tags: { 'cost-center': 'cost-center-engineering-team' } }, {}),
      ),
    ).toEqual([]);
  });
});

describe('names that look busy but are not secrets', () => {
  test.each([
    'Team-Alpha-2024-Production-Workloads',
    'ProjectPhoenix2025MigrationWorkstream',
    'MyApplicationLoadBalancer1234567',
    'OpenClawGatewayServiceRole2024Q1',
    'sk-learn-experiments-team-2024',
  ])('%s is not flagged', (name) => {
    expect(detectCredential(name)).toBeUndefined();
  });
});
