import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, type ConfigProblem } from '../../lib/config/errors';
import { z } from 'zod';
import { mergedConfigJsonSchema } from '../../lib/config/json-schema';
import { listClients, listEnvironments } from '../../lib/config/config-dir';
import { loadConfig, plainExpectation, valueAt, type LoadedConfig } from '../../lib/config/load';
import { configFixture, NOW, PINNED_AMIS_YAML } from '../support/config-fixture';

// loadConfig's own logic, each branch once: name checks, the files it reads
// and in which order, and how a zod issue becomes "file:line: key path: found
// ...; expected ...". The schema's constraints have their own tests
// (test/config/schema*.test.ts); this file pins the translation.

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
});
function fixture(files: Record<string, string>): string {
  const root = configFixture(files);
  roots.push(root);
  return root;
}
function load(files: Record<string, string>, client = 'acme', env = 'dev'): LoadedConfig {
  const root = fixture(files);
  return loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client, env });
}
function problems(files: Record<string, string>, client = 'acme', env = 'dev'): ConfigProblem[] {
  try {
    load(files, client, env);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const CLIENT = 'config/clients/acme/client.yaml';
const FILES = ['config/base.yaml', 'config/environments/dev.yaml', CLIENT];
/** Lines 1-3 of the client file; the AMIs follow on lines 4-7. */
const AWS = 'aws:\n  account: "111122223333"\n  region: eu-west-1\n';
const ACME = `${AWS}${PINNED_AMIS_YAML}`;
/** The client file with `extra` from line 8 on. */
const acme = (extra: string) => ({ 'clients/acme/client.yaml': `${ACME}${extra}` });

describe('a valid config', () => {
  test('is returned with its client and environment, the merged layers and the files read, base first', () => {
    const loaded = load(acme(''));
    expect(loaded.files).toEqual(FILES);
    expect(loaded.config.client).toBe('acme');
    expect(loaded.config.env).toBe('dev');
    expect(loaded.config.aws).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(loaded.merged.origins.get('aws.account')).toEqual({ file: CLIENT, line: 2 });
  });

  test('clients/<client>/<env>.yaml is read last when it exists', () => {
    const loaded = load({ ...acme(''), 'clients/acme/dev.yaml': 'kms:\n  rotationPeriodDays: 400\n' });
    expect(loaded.files).toEqual([...FILES, 'config/clients/acme/dev.yaml']);
    expect(loaded.config.kms.rotationPeriodDays).toBe(400);
  });

  test('file names are relative to displayBase, and to the working directory without it', () => {
    const root = fixture(acme(''));
    const configDir = path.join(root, 'config');
    const cwd = process.cwd();
    try {
      process.chdir(root);
      expect(loadConfig({ configDir, now: NOW, client: 'acme', env: 'dev' }).files).toEqual(FILES);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('client and environment names', () => {
  test.each([
    ['Acme', 'dev', 'client "Acme": expected lowercase letters, digits and hyphens ([a-z0-9-]+)'],
    ['acme', '../dev', 'env "../dev": expected lowercase letters, digits and hyphens ([a-z0-9-]+)'],
  ])('a bad name (%s/%s) is refused before any file is read', (client, env, message) => {
    expect(problems({}, client, env)).toEqual([{ message }]);
  });

  test('a missing environment lists the environments there are', () => {
    expect(problems(acme(''), 'acme', 'qa')).toEqual([{ file: 'config/environments/qa.yaml', message: 'no environment "qa"; available: dev, prod, staging' }]);
  });

  test('a missing client lists the clients there are (folders with a client.yaml)', () => {
    expect(problems({ ...acme(''), 'clients/ghost/dev.yaml': 'tags: {}\n', 'clients/notes.yaml': 'x: 1\n' }, 'nope')).toEqual([
      { file: 'config/clients/nope/client.yaml', message: 'no client "nope"; available: acme, example' },
    ]);
  });

  test('listEnvironments and listClients: sorted, only .yaml files and folders with client.yaml; none when the folder is missing', () => {
    const more: Record<string, string> = {};
    for (const n of ['zz', 'b', 'y', 'c0', 'x']) {
      more[`environments/${n}.yaml`] = 'tags: {}\n';
      more[`clients/${n}/client.yaml`] = ACME;
    }
    const root = fixture({ ...acme(''), ...more, 'environments/notes.txt': 'x', 'clients/ghost/dev.yaml': 'tags: {}\n' });
    const configDir = path.join(root, 'config');
    expect(listEnvironments(configDir)).toEqual(['b', 'c0', 'dev', 'prod', 'staging', 'x', 'y', 'zz']);
    expect(listClients(configDir)).toEqual(['acme', 'b', 'c0', 'example', 'x', 'y', 'zz']);
    expect(listEnvironments(path.join(root, 'nowhere'))).toEqual([]);
    expect(listClients(path.join(root, 'nowhere'))).toEqual([]);
  });

  test('listEnvironments and listClients sort in JavaScript string order, not in the order the file system lists', () => {
    // Linux's readdir (through libuv) lists names in UTF-8 byte order, which differs from JavaScript's UTF-16 order above U+FFFF:
    // "\u{1F600}" (F0 9F 98 80) comes after "\uE000" (EE 80 80) in bytes, before it in UTF-16 (D83D < E000).
    const names = ['\uE000', '\u{1F600}'];
    const more: Record<string, string> = {};
    for (const n of names) {
      more[`environments/${n}.yaml`] = 'tags: {}\n';
      more[`clients/${n}/client.yaml`] = ACME;
    }
    const configDir = path.join(fixture({ ...acme(''), ...more }), 'config');
    expect(listEnvironments(configDir)).toEqual(['dev', 'prod', 'staging', '\u{1F600}', '\uE000']);
    expect(listClients(configDir)).toEqual(['acme', 'example', '\u{1F600}', '\uE000']);
  });

  test('with no environments or clients at all, "none" is listed', () => {
    const root = fixture({});
    const configDir = path.join(root, 'config');
    fs.rmSync(path.join(configDir, 'environments'), { recursive: true });
    fs.rmSync(path.join(configDir, 'clients'), { recursive: true });
    const err = (client: string, env: string) => {
      try {
        loadConfig({ configDir, displayBase: root, now: NOW, client, env });
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    expect(err('acme', 'dev')).toEqual([{ file: 'config/environments/dev.yaml', message: 'no environment "dev"; available: none' }]);
    fs.mkdirSync(path.join(configDir, 'environments'));
    fs.writeFileSync(path.join(configDir, 'environments', 'dev.yaml'), 'tags: {}\n');
    expect(err('acme', 'dev')).toEqual([{ file: 'config/clients/acme/client.yaml', message: 'no client "acme"; available: none' }]);
  });
});

describe('the files read', () => {
  test('base.yaml is required: a missing one is refused, not skipped like an absent clients/<client>/<env>.yaml', () => {
    const root = fixture(acme(''));
    const base = path.join(root, 'config', 'base.yaml');
    fs.rmSync(base);
    expect(() => loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' })).toThrow(ConfigError);
    try {
      loadConfig({ configDir: path.join(root, 'config'), displayBase: root, now: NOW, client: 'acme', env: 'dev' });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        { file: 'config/base.yaml', message: `cannot read the file (ENOENT: no such file or directory, open '${base}'); expected a readable YAML file` },
      ]);
    }
  });
});

describe('schema problems: file, line, key path, what was found, what was expected', () => {
  test.each<[string, string, ConfigProblem]>([
    ['a string', 'dataProtection:\n  retainOnDelete: "no"\n', { file: CLIENT, line: 9, path: 'dataProtection.retainOnDelete', message: 'found "no"; expected true or false' }],
    ['a number', 'kms:\n  rotationPeriodDays: 30\n', { file: CLIENT, line: 9, path: 'kms.rotationPeriodDays', message: 'found number 30; expected at least 90 days (the KMS minimum)' }],
    ['a boolean', 'project:\n  prefix: true\n', { file: CLIENT, line: 9, path: 'project.prefix', message: 'found boolean true; expected prefix: a string of lowercase letters, digits and hyphens' }],
    ['null', 'project:\n  prefix: null\n', { file: CLIENT, line: 9, path: 'project.prefix', message: 'found null; expected prefix: a string of lowercase letters, digits and hyphens' }],
    ['a list where a mapping belongs', 'kms: [1]\n', { file: CLIENT, line: 8, path: 'kms', message: 'found a list; expected a mapping' }],
    ['a mapping where a list belongs', 'alerts:\n  email: { a: 1 }\n', { file: CLIENT, line: 9, path: 'alerts.email', message: 'found a mapping; expected a list of e-mail addresses' }],
    ['a scalar where a record belongs', 'tags: x\n', { file: CLIENT, line: 8, path: 'tags', message: 'found "x"; expected a mapping' }],
    ['a scalar where a list without its own message belongs', 'edge:\n  allowedOrigins: x\n', { file: CLIENT, line: 9, path: 'edge.allowedOrigins', message: 'found "x"; expected a list' }],
    ['a string where a plain number belongs', 'edge:\n  rateLimit:\n    burst: x\n', { file: CLIENT, line: 10, path: 'edge.rateLimit.burst', message: 'found "x"; expected number' }],
    ['a number where a plain string belongs', 'edge:\n  waf:\n    geoAllowlist: [7]\n', { file: CLIENT, line: 10, path: 'edge.waf.geoAllowlist[0]', message: 'found number 7; expected a string' }],
  ])('%s', (_what, extra, problem) => {
    expect(problems(acme(extra))).toEqual([problem]);
  });

  test('a long string is cut at 57 characters and "..."; 60 are shown whole', () => {
    const s60 = `A${'b'.repeat(59)}`;
    const s61 = `A${'b'.repeat(60)}`;
    expect(problems(acme(`project:\n  prefix: ${s60}\n`))[0]!.message).toBe(`found "${s60}"; expected prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)`);
    expect(problems(acme(`project:\n  prefix: ${s61}\n`))[0]!.message).toBe(`found "${s61.slice(0, 57)}..."; expected prefix: lowercase letters, digits and hyphens only ([a-z0-9-]+)`);
  });

  test('a cross-field check shows the value at its key path, not the whole section', () => {
    expect(problems(acme('edge:\n  gatewayPort: 8080\n'))).toEqual([
      {
        file: CLIENT,
        line: 9,
        path: 'edge.gatewayPort',
        message: 'found number 8080; expected a port different from edge.proxyPort: the gateway listens on loopback behind nginx, never on the proxy port',
      },
    ]);
  });

  test('a cross-field check on a key no file sets finds "nothing"', () => {
    expect(problems(acme('openclaw:\n  agents:\n    a:\n      description: An agent.\n      provider: anthropic\n      model: m\n      channels:\n        telegram: {}\n'))).toEqual([
      {
        file: CLIENT,
        line: 15,
        path: 'openclaw.agents.a.channels.telegram.allowFrom',
        message: 'found nothing; expected at least one sender id with dmPolicy allowlist (or dmPolicy pairing, or disabled to turn DMs off)',
      },
    ]);
  });

  test('a bad record key shows the key schema\'s own message', () => {
    expect(problems(acme('tags:\n  "aws:cost": x\n'))).toEqual([
      { file: CLIENT, line: 9, path: 'tags.aws:cost', message: 'found "aws:cost"; expected a tag key not starting with "aws:" (reserved)' },
    ]);
  });

  test('a missing key names no file or line, and lists every file read', () => {
    expect(problems({ 'clients/acme/client.yaml': `aws:\n  region: eu-west-1\n${PINNED_AMIS_YAML}` })).toEqual([
      { path: 'aws.account', message: `required but not set in any of: ${FILES.join(', ')}; expected a 12-digit AWS account ID as a quoted string, e.g. "123456789012" (YAML reads unquoted digits as a number)` },
    ]);
  });

  test('unknown keys: one problem per key, at its own line, with the keys allowed there', () => {
    expect(problems(acme('kms:\n  rotationPeriodDays: 90\n  rotation: 1\n  period: 2\n'))).toEqual([
      { file: CLIENT, line: 10, path: 'kms.rotation', message: 'unknown key "rotation"; expected one of: rotationPeriodDays' },
      { file: CLIENT, line: 11, path: 'kms.period', message: 'unknown key "period"; expected one of: rotationPeriodDays' },
    ]);
  });

  test('an unknown key lists every key allowed there, comma-separated', () => {
    expect(problems(acme('project:\n  name: x\n'))).toEqual([
      { file: CLIENT, line: 9, path: 'project.name', message: 'unknown key "name"; expected one of: prefix, terminationProtection' },
    ]);
  });

  test('every mapping that refuses unknown keys lists the keys it allows, so "expected one of:" is never empty', () => {
    // allowedKeysAt follows properties, additionalProperties and items; a combinator ($ref, anyOf...) or a strict mapping
    // without keys would give an empty list.
    const unlisted: string[] = [];
    const walk = (node: Record<string, unknown>, at: string): void => {
      for (const k of ['$ref', 'anyOf', 'oneOf', 'allOf']) if (k in node) unlisted.push(`${at} (${k})`);
      const props = (node.properties ?? {}) as Record<string, Record<string, unknown>>;
      if (node.additionalProperties === false && Object.keys(props).length === 0) unlisted.push(`${at} (no keys)`);
      for (const [k, child] of Object.entries(props)) walk(child, `${at}.${k}`);
      if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as Record<string, unknown>, `${at}.*`);
      if (typeof node.items === 'object') walk(node.items as Record<string, unknown>, `${at}[]`);
    };
    walk(mergedConfigJsonSchema(), '');
    expect(unlisted).toEqual([]);
  });

  test('every problem is reported, in order', () => {
    expect(problems(acme('kms:\n  rotationPeriodDays: 1\ndataProtection:\n  retainOnDelete: 1\n')).map((p) => `${p.line} ${p.path}`)).toEqual([
      '9 kms.rotationPeriodDays',
      '11 dataProtection.retainOnDelete',
    ]);
  });
});

describe('the checks after the schema, in order', () => {
  test('credentials are reported before (and instead of) schema problems', () => {
    const found = problems(acme(`tags:\n  key: "AKIA${'ABCDEFGHIJKLMNOP'}"\nkms: 1\n`));
    expect(found.map((p) => [p.file, p.line, p.path])).toEqual([[CLIENT, 9, 'tags.key']]);
  });

  test('a weakened control without an exception', () => {
    expect(problems(acme('dataProtection:\n  retainOnDelete: false\n')).map((p) => [p.file, p.line, p.path])).toEqual([[CLIENT, 9, 'dataProtection.retainOnDelete']]);
  });

  describe('names too long for AWS: the part to shorten is named by where it is set', () => {
    /** A custom domain too, so that an environment other than dev (production) needs no exception. */
    const DOMAIN = 'edge:\n  customDomain:\n    domainName: agents.acme.example\n    certificateArn: arn:aws:acm:us-east-1:111122223333:certificate/11111111-1111-4111-8111-111111111111\n';
    const longName = (client: string, env: string) => {
      const files = { [`clients/${client}/client.yaml`]: `${ACME}project:\n  prefix: ${'p'.repeat(20)}\n${DOMAIN}`, [`environments/${env}.yaml`]: 'tags: {}\n' };
      return [...new Set(problems(files, client, env).map((p) => `${p.file}:${p.line ?? ''} ${p.path}`))];
    };

    test('the prefix: the file and line that set project.prefix', () => {
      expect(longName('c'.repeat(20), 'dev')).toEqual([`config/clients/${'c'.repeat(20)}/client.yaml:9 project.prefix`]);
    });

    test('the client: its folder', () => {
      const client = 'c'.repeat(25);
      expect(longName(client, 'dev')).toEqual([`config/clients/${client}: client name (the folder clients/${client})`]);
    });

    test('an agent: the file and line that define it under openclaw.agents', () => {
      const id = 'a'.repeat(500);
      const files = { ...acme(`openclaw:\n  agents:\n    ${id}:\n      description: An agent.\n      provider: anthropic\n      model: m\n`) };
      const agent = (gives: string, rule: string) => ({
        file: CLIENT,
        line: 10,
        path: `openclaw.agents.${id}`,
        message: `found agent "${id}", which gives ${gives} (AWS's rule: ${rule}); shorten or change the agent name`,
      });
      // Its gateway's rotation Lambda, that Lambda's log group, its secrets (the longer gateway token secret is reported)
      expect(problems(files)).toEqual([
        agent(
          `the Lambda function name "openclaw-acme-dev-rotate-token-${id}": 531 characters; expected at most 64`,
          '1-64 characters, letters, digits, hyphens and underscores',
        ),
        agent(
          `the CloudWatch Logs log group name "/aws/lambda/openclaw-acme-dev-rotate-token-${id}": 543 characters; expected at most 512`,
          '1-512 characters, letters, digits and ._-/#',
        ),
        agent(
          `the Secrets Manager secret name "openclaw/acme/dev/gateways/${id}/token": 533 characters; expected at most 512`,
          '1-512 characters, letters, digits and /_+=.@-',
        ),
        // and its gateway's breaker alarm.
        agent(`the CloudWatch alarm name "openclaw-acme-dev-agent-breaker-${id}": 532 characters; expected at most 255`, '1-255 characters, printable ASCII'),
      ]);
    });

    test('the environment: its file', () => {
      const env = 'e'.repeat(30);
      expect(longName('c'.repeat(5), env)).toEqual([`config/environments/${env}.yaml: environment name (the file environments/${env}.yaml)`]);
    });
  });
});

describe('plainExpectation: only zod\'s generic messages are reworded', () => {
  const zodMessage = (schema: z.ZodType, input: unknown) => schema.safeParse(input).error!.issues[0]!.message;

  test('zod\'s "expected <type>, received <type>" becomes the plain word for the type, or the type', () => {
    expect(zodMessage(z.object({}), [])).toBe('Invalid input: expected object, received array');
    expect(plainExpectation(zodMessage(z.object({}), []))).toBe('a mapping');
    expect(plainExpectation(zodMessage(z.number(), 'x'))).toBe('number');
  });

  test('zod\'s "expected <value>" of a one-value literal, without "received", becomes the value', () => {
    expect(zodMessage(z.literal(5), 4)).toBe('Invalid input: expected 5');
    expect(plainExpectation(zodMessage(z.literal(5), 4))).toBe('5');
  });

  test('a message that only contains zod\'s words, before or after others, is the schema\'s own and kept whole', () => {
    for (const message of [
      'see: Invalid input: expected string, received number',
      'Invalid input: expected string, received number or a list',
      'Invalid input: expected 1.5',
      'at least 90 days (the KMS minimum)',
    ]) {
      expect(plainExpectation(message)).toBe(message);
    }
  });
});

describe('valueAt: the value a cross-field check points at', () => {
  const root = { a: { b: [10, { c: 'x' }] }, s: 'text', n: null };

  test('follows mappings and lists', () => {
    expect(valueAt(root, ['a', 'b', 1, 'c'])).toBe('x');
    expect(valueAt(root, ['a', 'b', 0])).toBe(10);
    expect(valueAt(root, [])).toBe(root);
  });

  test('is undefined past a missing key, null or a scalar, instead of failing or indexing into a string', () => {
    expect(valueAt(root, ['missing', 'c'])).toBeUndefined();
    expect(valueAt(root, ['n', 'c'])).toBeUndefined();
    expect(valueAt(root, ['s', 0])).toBeUndefined();
    expect(valueAt(root, ['s', 'length'])).toBeUndefined();
  });
});
