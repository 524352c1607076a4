import { resolvePointer } from '../../host/fetch-secrets/content';
import { defaultProvider } from '../../host/fetch-secrets/no-default-credentials';

// Focused, in-process checks of host/fetch-secrets/content.ts's RFC 6901
// pointer resolution (the required keys of a JSON secret) and of the stand-in
// for the SDK's default credential chain (no-default-credentials.ts).

describe('resolvePointer (RFC 6901)', () => {
  test('the empty pointer is the whole document', () => {
    const doc = { a: 1 };
    expect(resolvePointer(doc, '')).toBe(doc);
  });

  test('"/" is the key "" (not the whole document)', () => {
    expect(resolvePointer({ '': 'empty-key', a: 1 }, '/')).toBe('empty-key');
    expect(resolvePointer({ a: 1 }, '/')).toBeUndefined();
  });

  test('array index: canonical decimal indexes, multi-digit included', () => {
    const arr = Array.from({ length: 13 }, (_, i) => `v${i}`);
    expect(resolvePointer(arr, '/0')).toBe('v0');
    expect(resolvePointer(arr, '/12')).toBe('v12');
    expect(resolvePointer(arr, '/13')).toBeUndefined();
  });

  test('array index: leading zeros, signs, non-digits and array properties are refused', () => {
    const arr = ['a', 'b'];
    expect(resolvePointer(arr, '/01')).toBeUndefined();
    expect(resolvePointer(arr, '/-1')).toBeUndefined();
    expect(resolvePointer(arr, '/1x')).toBeUndefined();
    expect(resolvePointer(arr, '/length')).toBeUndefined();
  });

  test('object keys: own properties only, ~1 and ~0 unescaped', () => {
    expect(resolvePointer({ a: { b: 'x' } }, '/a/b')).toBe('x');
    expect(resolvePointer({ 'a/b': 'slash', 'm~n': 'tilde' }, '/a~1b')).toBe('slash');
    expect(resolvePointer({ 'a/b': 'slash', 'm~n': 'tilde' }, '/m~0n')).toBe('tilde');
    expect(resolvePointer({}, '/toString')).toBeUndefined();
    expect(resolvePointer({ a: 1 }, '/b')).toBeUndefined();
  });

  test('a string or number is not descended into', () => {
    expect(resolvePointer({ a: 'abc' }, '/a/0')).toBeUndefined();
    expect(resolvePointer({ a: 'abc' }, '/a/length')).toBeUndefined();
  });

  test('null is not descended into (no TypeError)', () => {
    expect(resolvePointer({ a: null }, '/a/b')).toBeUndefined();
  });
});

test('the bundled default credential chain refuses, naming IMDSv2 as the only source', async () => {
  await expect(defaultProvider()()).rejects.toThrow(
    new Error('fetch-secrets: credentials come from IMDSv2 only (the default credential chain is not bundled)'),
  );
});
