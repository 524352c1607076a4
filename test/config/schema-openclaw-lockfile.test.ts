import { openclawSchema } from '../../lib/openclaw/config-schema';
import { problemsOf } from '../support/schema-cases';

// When host/openclaw/package-lock.json cannot be read, no version matches and
// the message says why, instead of a parser exception.

jest.mock('../../lib/openclaw/lockfile', () => ({
  ...jest.requireActual<object>('../../lib/openclaw/lockfile'),
  pinnedRuntime: () => {
    throw new Error('ENOENT: host/openclaw/package-lock.json');
  },
}));

test('an unreadable lockfile refuses every version, saying it cannot be read', () => {
  expect(problemsOf(openclawSchema, { version: '2026.9.6', plugins: [] })).toEqual([
    'version: a version pinned by host/openclaw/package-lock.json, which cannot be read',
  ]);
});
