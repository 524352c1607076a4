/**
 * CloudWatch Logs of the fake deployment: every AWS::Logs::LogGroup of the
 * templates exists in its stack's region, empty until something appends an
 * event (appendLogEvent: the host's CloudWatch agent shipping a line).
 * FilterLogEvents applies the filter pattern's terms as CloudWatch Logs does
 * for unstructured text: every term (a word, or a phrase in double quotes)
 * must occur in the message.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { FakeWorld, ServiceFake } from './world';

/** One log event. */
export interface FakeLogEvent {
  readonly timestamp: number;
  readonly message: string;
  /** The stream, `{instance_id}` for the host's agent. */
  readonly logStreamName: string;
}

export interface LogsState {
  /** `<region>|<log group name>` -> its events, oldest first. */
  readonly groups: Map<string, FakeLogEvent[]>;
}

export function logsState(world: FakeWorld): LogsState {
  const existing = world.state.logs as LogsState | undefined;
  if (existing) return existing;
  const groups = new Map<string, FakeLogEvent[]>();
  for (const s of world.stacks) for (const r of world.resources('AWS::Logs::LogGroup', s.role)) groups.set(`${s.region}|${world.physicalId(s.role, r.logicalId)}`, []);
  const state = { groups };
  world.state.logs = state;
  return state;
}

/** Appends an event to a log group of the deployment (throws for a group the templates do not create: the host role cannot create one). */
export function appendLogEvent(world: FakeWorld, region: string, group: string, event: FakeLogEvent): void {
  const events = logsState(world).groups.get(`${region}|${group}`);
  if (!events) throw new Error(`no log group ${group} in ${region}`);
  events.push(event);
}

/** The terms of a filter pattern: quoted phrases and bare words. */
const terms = (pattern: string) => [...pattern.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!).filter((t) => t.length > 0);

export const logsFake: ServiceFake = (world) => {
  const logs = mockClient(CloudWatchLogsClient);
  logs.on(FilterLogEventsCommand).callsFake(
    async (input: { logGroupName?: string; startTime?: number; endTime?: number; filterPattern?: string }, getClient: () => { config: { region: () => Promise<string> } }) => {
      const region = await getClient().config.region();
      const events = logsState(world).groups.get(`${region}|${input.logGroupName}`);
      if (!events) throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
      const want = terms(input.filterPattern ?? '');
      const matched = events.filter(
        (e) => (input.startTime === undefined || e.timestamp >= input.startTime) && (input.endTime === undefined || e.timestamp <= input.endTime) && want.every((t) => e.message.includes(t)),
      );
      return {
        events: matched.map((e, i) => ({ ...e, ingestionTime: e.timestamp + 1000, eventId: String(i) })),
        searchedLogStreams: [],
      };
    },
  );
  return [logs];
};
