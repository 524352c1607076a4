/**
 * The alarms of a deployment, as its templates define them and as CloudWatch
 * has them: every AWS::CloudWatch::Alarm and CompositeAlarm of the five
 * stacks (so an alarm added to any stack is checked without a list to keep),
 * and DescribeAlarms by name in the stack's region (edge alarms in us-east-1).
 */
import { CloudWatchClient, DescribeAlarmsCommand, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { TemplateRef } from '../verify/deployed-stacks';
import type { VerifyContext } from '../verify/verify-context';
import { liveString } from '../verify/template-values';

export const ALARM_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'] as const;

/** An alarm of the templates. */
export interface TemplateAlarm {
  /** The template resource. */
  readonly ref: TemplateRef;
  /** Its name (AlarmName, or the physical ID CloudFormation gave it). */
  readonly name: string;
  /** Its stack's region: where CloudWatch has it. */
  readonly region: string;
  /** Its template properties, unresolved. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** What CloudWatch returns for either kind of alarm (the fields the checks read are common to both). */
export type LiveAlarm = MetricAlarm | CompositeAlarm;

/** Every alarm of the templates, with its name. */
export function templateAlarms(ctx: VerifyContext): Promise<TemplateAlarm[]> {
  return ctx.memo('alarms:template', () =>
    Promise.all(
      ALARM_TYPES.flatMap((t) => ctx.find(t)).map(async (ref) => {
        const properties = (ref.resource.Properties ?? {}) as Record<string, unknown>;
        const name = properties.AlarmName === undefined ? await ctx.physicalId(ref) : await liveString(ctx, ref.stack, properties.AlarmName);
        return { ref, name, region: ref.stack.region, properties };
      }),
    ),
  );
}

/** DescribeAlarms returns at most 100 names per call. */
const NAMES_PER_CALL = 100;

/** The live alarms of `region` among `names`, by name (an alarm CloudWatch does not have is absent). */
export function liveAlarms(ctx: VerifyContext, region: string, names: readonly string[]): Promise<ReadonlyMap<string, LiveAlarm>> {
  const sorted = [...new Set(names)].sort();
  const withComposite = ctx.find('AWS::CloudWatch::CompositeAlarm').length > 0;
  return ctx.memo(`alarms:live:${region}:${sorted.join(',')}`, async () => {
    const cw = ctx.client(CloudWatchClient, region);
    const out = new Map<string, LiveAlarm>();
    for (let i = 0; i < sorted.length; i += NAMES_PER_CALL) {
      let NextToken: string | undefined;
      do {
        // Without AlarmTypes, DescribeAlarms returns metric alarms only. Asking for composite alarms
        // needs cloudwatch:DescribeAlarms on Resource * (CloudWatch's API reference), which the daily
        // check's role does not have: ask only when the templates hold one.
        const page = await cw.send(
          new DescribeAlarmsCommand({ AlarmNames: sorted.slice(i, i + NAMES_PER_CALL), ...(withComposite ? { AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] } : {}), NextToken }),
        );
        for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) if (a.AlarmName) out.set(a.AlarmName, a);
        NextToken = page.NextToken;
      } while (NextToken);
    }
    return out;
  });
}

/** The live counterpart of every template alarm (undefined when CloudWatch has none of that name). */
export async function alarmsWithLive(ctx: VerifyContext): Promise<{ readonly alarm: TemplateAlarm; readonly live: LiveAlarm | undefined }[]> {
  const alarms = await templateAlarms(ctx);
  const regions = [...new Set(alarms.map((a) => a.region))];
  const byRegion = new Map(await Promise.all(regions.map(async (r) => [r, await liveAlarms(ctx, r, alarms.filter((a) => a.region === r).map((a) => a.name))] as const)));
  return alarms.map((alarm) => ({ alarm, live: byRegion.get(alarm.region)?.get(alarm.name) }));
}
