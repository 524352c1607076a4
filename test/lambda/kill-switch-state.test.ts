/**
 * The kill switch's recorded state (lambda/kill-switch/state.ts): what fits in
 * a standard SSM parameter (4096 characters) is written as it is; what does
 * not loses the step errors first, then the end of the reason. The limits are
 * checked at their exact edges.
 */
import { MAX_PARAMETER_CHARS, type RecordedState, serialize } from '../../lambda/kill-switch/state';

const base: RecordedState = {
  state: 'killed',
  at: '2026-05-20T10:00:00.000Z',
  trigger: { source: 'operator', requestedBy: 'alice@example.com' },
  reason: '',
  complete: false,
  actions: [
    { step: 'instance', id: 'i-0123456789abcdef0', before: 'running', result: 'failed', error: `RequestLimitExceeded: ${'e'.repeat(200)}` },
    { step: 'distribution', id: 'E1ABCDEFGHIJKL', result: 'disabled', attempts: 1 },
  ],
};
const withoutErrors: RecordedState = {
  ...base,
  actions: [{ step: 'instance', id: 'i-0123456789abcdef0', before: 'running', result: 'failed' }, base.actions[1]!],
};

/** `state` with a reason of plain characters that makes its JSON exactly `length` long. */
const withJsonLength = (state: RecordedState, length: number): RecordedState => ({ ...state, reason: 'r'.repeat(length - JSON.stringify(state).length) });

describe('serialize', () => {
  it('a state of exactly 4096 characters is written as it is, errors included', () => {
    const state = withJsonLength(base, MAX_PARAMETER_CHARS);
    expect(serialize(state)).toBe(JSON.stringify(state));
  });

  it('one character more: the errors are dropped, every other field of every step kept, the reason whole', () => {
    const state = withJsonLength(base, MAX_PARAMETER_CHARS + 1);
    expect(JSON.parse(serialize(state))).toEqual({ ...withoutErrors, reason: state.reason });
  });

  it('without its errors exactly 4096 characters: the reason is kept whole', () => {
    const fits = withJsonLength(withoutErrors, MAX_PARAMETER_CHARS);
    const json = serialize({ ...base, reason: fits.reason });
    expect(json).toBe(JSON.stringify(fits));
    expect(json).toHaveLength(MAX_PARAMETER_CHARS);
  });

  it('without its errors one character over: the reason loses its end, marked "...", and the record is exactly 4096 characters', () => {
    const over = withJsonLength(withoutErrors, MAX_PARAMETER_CHARS + 1);
    const json = serialize({ ...base, reason: over.reason });
    expect(json).toHaveLength(MAX_PARAMETER_CHARS);
    expect(JSON.parse(json)).toEqual({ ...withoutErrors, reason: `${over.reason.slice(0, over.reason.length - 4)}...` });
  });
});
