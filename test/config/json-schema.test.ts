import { allowedKeysAt, mergedConfigJsonSchema, overlayJsonSchema } from '../../lib/config/json-schema';

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every schema node reachable through properties, items and additionalProperties, with its path. */
function schemaNodes(node: Node, at = '$'): [string, Node][] {
  const out: [string, Node][] = [[at, node]];
  const props = node.properties;
  if (isNode(props)) {
    for (const [k, child] of Object.entries(props)) if (isNode(child)) out.push(...schemaNodes(child, `${at}.properties.${k}`));
  }
  if (isNode(node.items)) out.push(...schemaNodes(node.items, `${at}.items`));
  if (isNode(node.additionalProperties)) out.push(...schemaNodes(node.additionalProperties, `${at}.additionalProperties`));
  return out;
}

/** Every `properties` entry at every depth: [path, schema of the property]. */
function allProperties(schema: Node): [string, Node][] {
  return schemaNodes(schema).flatMap(([at, node]) =>
    isNode(node.properties) ? Object.entries(node.properties).map(([k, v]): [string, Node] => [`${at}.properties.${k}`, v as Node]) : [],
  );
}

/** Paths of every `required` key anywhere in a JSON value. */
function requiredPaths(v: unknown, at = '$'): string[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => requiredPaths(x, `${at}[${i}]`));
  if (!isNode(v)) return [];
  return Object.entries(v).flatMap(([k, child]) => [...(k === 'required' ? [`${at}.required`] : []), ...requiredPaths(child, `${at}.${k}`)]);
}

describe('overlayJsonSchema()', () => {
  const schema = overlayJsonSchema();

  test('is titled for editors, and otherwise exactly the merged schema without "required" (lists such as enums stay lists)', () => {
    expect(schema.title).toBe('OpenClaw hardened AWS deployment: config overlay');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const stripped: unknown = JSON.parse(JSON.stringify(mergedConfigJsonSchema()), (k, v: unknown) => (k === 'required' ? undefined : v));
    expect(schema).toEqual({ ...(stripped as Node), title: 'OpenClaw hardened AWS deployment: config overlay' });
  });

  test('walks the whole schema (sanity check of the walker)', () => {
    const paths = allProperties(schema).map(([p]) => p);
    expect(paths).toEqual(
      expect.arrayContaining([
        '$.properties.aws',
        '$.properties.aws.properties.account',
        '$.properties.exceptions.items.properties.expires',
      ]),
    );
  });

  test('every property at every depth has a non-empty description', () => {
    const missing = allProperties(schema)
      .filter(([, prop]) => typeof prop.description !== 'string' || prop.description.trim() === '')
      .map(([p]) => p);
    expect(missing).toEqual([]);
    expect(typeof schema.description).toBe('string');
  });

  test('every object with properties rejects unknown keys', () => {
    const withProps = schemaNodes(schema).filter(([, n]) => isNode(n.properties));
    expect(withProps.length).toBeGreaterThanOrEqual(6);
    const open = withProps.filter(([, n]) => n.additionalProperties !== false).map(([p]) => p);
    expect(open).toEqual([]);
  });

  test('nothing is required: an overlay sets only the keys it changes', () => {
    expect(requiredPaths(schema)).toEqual([]);
    // ...while the merged config does require keys, so the stripping is doing something.
    expect(requiredPaths(mergedConfigJsonSchema()).length).toBeGreaterThan(0);
  });

  test('has the same keys as the merged config schema', () => {
    const keys = (s: Node) => allProperties(s).map(([p]) => p);
    expect(keys(schema)).toEqual(keys(mergedConfigJsonSchema()));
  });
});

test('the merged schema describes the input: keys with a default (an agent\'s hardened values) are not required', () => {
  const agents = ((mergedConfigJsonSchema().properties as Record<string, Node>).openclaw!.properties as Record<string, Node>).agents!;
  expect((agents.additionalProperties as Node).required).toEqual(['description', 'provider', 'model']);
});

describe('allowedKeysAt', () => {
  test.each([
    [[], ['project', 'aws', 'tags', 'kms', 'instance', 'network', 'logs', 'edge', 'openclaw', 'secrets', 'breakGlass', 'audit', 'alerts', 'spend', 'dataProtection', 'exceptions']],
    [['aws'], ['account', 'region']],
    [['exceptions', 0], ['control', 'reason', 'approvedBy', 'expires']],
    [['tags'], []],
    [['nope'], []],
    [['aws', 'account', 'deeper'], []],
    [['nope', 'deeper'], []],
    [['nope', 'deeper', 'still'], []],
    [['openclaw', 'agents', 'helpdesk'], ['description', 'provider', 'model', 'channels', 'tools', 'agentToAgent', 'subagents', 'breaker', 'automations']],
    [['openclaw', 'agents', 'helpdesk', 'channels', 'telegram'], ['dmPolicy', 'allowFrom', 'groupPolicy', 'groups', 'groupAllowFrom']],
  ] as [(string | number)[], string[]][])('%j -> %j', (at, keys) => {
    expect(allowedKeysAt(at)).toEqual(keys);
  });
});
