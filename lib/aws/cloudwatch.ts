import {
  CloudWatchClient,
  type CloudWatchClientConfig,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { TerminalError } from '../core/errors.ts';
import {
  ALARM_STATES,
  type AlarmState,
  type AlarmsFor,
  type AlarmsIn,
  type AlarmsPort,
  type AlarmView,
} from '../core/ports/alarms.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { OWNER_VALUE, TAGS, tagsToRecord } from '../tags.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { AlarmsFor, AlarmsIn, AlarmsPort, AlarmView, DefaultAlarmSpec } from '../core/ports/alarms.ts';

/** Creates the CloudWatch client once per container. */
export function createCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient(clientConfig());
}

/**
 * Alarms in each target (account × region): one CloudWatch client per target, made on first use
 * with that target's client options (the spoke role's credentials outside the hub), kept for the
 * container's life. `alarmsFor` finds the target from a service's ARN, `alarmsIn` is given it (the
 * backstop pass goes through every target); both share the clients.
 */
export function createAlarmGateways(
  clientOptionsFor: (account: string, region: string) => CloudWatchClientConfig,
): { alarmsFor: AlarmsFor; alarmsIn: AlarmsIn } {
  const gateways = new Map<string, AlarmsPort>();
  const inTarget = (account: string, region: string) => {
    const key = `${account}/${region}`;
    let gateway = gateways.get(key);
    if (!gateway) {
      gateway = createAlarmsGateway(new CloudWatchClient(clientOptionsFor(account, region)));
      gateways.set(key, gateway);
    }
    return gateway;
  };
  return {
    alarmsFor: (serviceArn) => {
      const ref = parseServiceArn(serviceArn);
      if (!ref)
        throw new TerminalError(`${serviceArn} is not an App Runner service ARN`, { fields: { serviceArn } });
      return inTarget(ref.account, ref.region);
    },
    alarmsIn: (target) => inTarget(target.account, target.region),
  };
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

const stateOf = (value: string | undefined): AlarmState =>
  (ALARM_STATES as readonly string[]).includes(value ?? '') ? (value as AlarmState) : 'INSUFFICIENT_DATA';

/** An alarm as DescribeAlarms returns it, read as an {@link AlarmView} (none without name or ARN). */
function viewOf(a: {
  AlarmName?: string | undefined;
  AlarmArn?: string | undefined;
  StateValue?: string | undefined;
  StateReason?: string | undefined;
  StateUpdatedTimestamp?: Date | undefined;
}): AlarmView | undefined {
  if (!a.AlarmName || !a.AlarmArn) return undefined;
  return {
    name: a.AlarmName,
    arn: a.AlarmArn,
    state: stateOf(a.StateValue),
    ...(a.StateReason ? { stateReason: a.StateReason } : {}),
    ...(a.StateUpdatedTimestamp ? { stateUpdatedAt: a.StateUpdatedTimestamp.toISOString() } : {}),
  };
}

/**
 * The CloudWatch adapter of {@link AlarmsPort}. The default alarm is a metric-math alarm on App
 * Runner's own metrics (`AWS/AppRunner`, `5xxStatusResponses` and `Requests` per `ServiceName` +
 * `ServiceID`, one-minute sums): the share of 5xx answers, in percent, above the threshold for 2
 * of 3 minutes. Minutes without requests are not breaching (an idle service is not failing).
 */
export function createAlarmsGateway(client: CloudWatchClient): AlarmsPort {
  return translatePortErrors({
    async describeAlarms(names) {
      const out: AlarmView[] = [];
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        let token: string | undefined;
        do {
          const page = await client.send(
            new DescribeAlarmsCommand({
              AlarmNames: names.slice(i, i + NAMES_PER_CALL),
              AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
              ...(token ? { NextToken: token } : {}),
            }),
          );
          for (const a of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
            const view = viewOf(a);
            if (view) out.push(view);
          }
          token = page.NextToken;
        } while (token);
      }
      return out;
    },

    async putDefaultAlarm(spec) {
      const dimensions = [
        { Name: 'ServiceName', Value: spec.serviceName },
        { Name: 'ServiceID', Value: spec.serviceId },
      ];
      const metric = (id: string, name: string) => ({
        Id: id,
        MetricStat: {
          Metric: { Namespace: 'AWS/AppRunner', MetricName: name, Dimensions: dimensions },
          Period: 60,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
      const tags = [
        { Key: TAGS.owner, Value: OWNER_VALUE },
        { Key: TAGS.service, Value: spec.serviceArn },
      ];
      await client.send(
        new PutMetricAlarmCommand({
          AlarmName: spec.name,
          AlarmDescription: `apprunner-guard: share of 5xx answers of App Runner service ${spec.serviceName} above ${spec.thresholdPercent} % for 2 of 3 minutes. Created by the guard for the service's bake window (tag ${TAGS.bakeMinutes}); deleted when the tag is removed.`,
          Metrics: [
            {
              Id: 'share',
              Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
              Label: '5xx share of requests (%)',
              ReturnData: true,
            },
            metric('errors', '5xxStatusResponses'),
            metric('requests', 'Requests'),
          ],
          EvaluationPeriods: 3,
          DatapointsToAlarm: 2,
          Threshold: spec.thresholdPercent,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          Tags: tags,
        }),
      );
      // Tags given to PutMetricAlarm apply only when it creates the alarm.
      const described = await client.send(new DescribeAlarmsCommand({ AlarmNames: [spec.name] }));
      const arn = described.MetricAlarms?.[0]?.AlarmArn;
      if (arn) await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags }));
    },

    async listAlarmTags(alarmArn) {
      const out = await client.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn }));
      return tagsToRecord(out.Tags);
    },

    async listAlarmsByPrefix(prefix) {
      const out: AlarmView[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new DescribeAlarmsCommand({
            AlarmNamePrefix: prefix,
            AlarmTypes: ['MetricAlarm'],
            ...(token ? { NextToken: token } : {}),
          }),
        );
        for (const a of page.MetricAlarms ?? []) {
          const view = viewOf(a);
          if (view) out.push(view);
        }
        token = page.NextToken;
      } while (token);
      return out;
    },

    async deleteAlarms(names) {
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        await client.send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + NAMES_PER_CALL) }));
      }
    },
  });
}
