/**
 * The recorded state of the kill switch: one SSM String parameter holding
 * JSON, overwritten by every kill and restore (last writer wins), read by
 * status. Standard parameters hold at most 4096 characters: the record is
 * made to fit (errors dropped first, then the reason shortened).
 */
import { ssm } from './clients';

export const MAX_PARAMETER_CHARS = 4096;

export interface RecordedState {
  readonly state: 'killed' | 'restored';
  readonly at: string;
  readonly trigger: Record<string, unknown>;
  readonly reason: string;
  /** False when a step failed (see the actions' errors). */
  readonly complete: boolean;
  readonly actions: readonly Record<string, unknown>[];
}

/** The JSON of `state`, at most MAX_PARAMETER_CHARS long. */
export function serialize(state: RecordedState): string {
  let json = JSON.stringify(state);
  if (json.length <= MAX_PARAMETER_CHARS) return json;
  const withoutErrors = { ...state, actions: state.actions.map((a) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'error'))) };
  json = JSON.stringify(withoutErrors);
  if (json.length <= MAX_PARAMETER_CHARS) return json;
  const over = json.length - MAX_PARAMETER_CHARS;
  return JSON.stringify({ ...withoutErrors, reason: `${state.reason.slice(0, Math.max(0, state.reason.length - over - 3))}...` });
}

export async function recordState(name: string, state: RecordedState): Promise<void> {
  const { sdk, client } = await ssm();
  await client.send(new sdk.PutParameterCommand({ Name: name, Value: serialize(state), Type: 'String', Overwrite: true }));
}

/** The recorded state (whatever JSON is there), `null` when nothing was ever recorded, `{ unreadable }` when it is not JSON. */
export async function readRecordedState(name: string): Promise<unknown> {
  try {
    const { sdk, client } = await ssm();
    const out = await client.send(new sdk.GetParameterCommand({ Name: name }));
    const value = out.Parameter?.Value ?? '';
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return { unreadable: value.slice(0, 200) };
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'ParameterNotFound') return null;
    throw err;
  }
}
