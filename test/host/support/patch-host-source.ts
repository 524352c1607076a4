import type * as fs from 'fs';

/**
 * Runs `fn` while every read of a host template whose path ends with `suffix`
 * returns `transform(real text)`: how a test weakens a template under host/ (the
 * renderers read them with fs.readFileSync) without touching the repo.
 */
export function withHostSource<T>(suffix: string, transform: (text: string) => string, fn: () => T): T {
  // The module object itself, not an import wrapper: the renderers call fs.readFileSync through it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const realFs = require('fs') as typeof fs;
  const read = realFs.readFileSync;
  const spy = jest.spyOn(realFs, 'readFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    const data = (read as (...a: unknown[]) => string | Buffer)(file, ...rest);
    return String(file).endsWith(suffix) ? transform(String(data)) : data;
  }) as typeof read);
  try {
    return fn();
  } finally {
    spy.mockRestore();
  }
}
