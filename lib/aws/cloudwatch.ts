import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { ALARM_STATES, type AlarmState, type AlarmsPort, type AlarmView } from '../core/ports/alarms.ts';
import { OWNER_VALUE, TAGS, tagsToRecord } from '../tags.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { AlarmsPort, AlarmView, DefaultAlarmSpec } from '../core/ports/alarms.ts';

/** Creates the CloudWatch client once per container. */
export function createCloudWatchClient(): CloudWatchClient {
  return new CloudWatchClient(clientConfig());
}

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100;

const stateOf = (value: string | undefined): AlarmState =>
  (ALARM_STATES as readonly string[]).includes(value ?? '') ? (value as AlarmState) : 'INSUFFICIENT_DATA';

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
            if (!a.AlarmName || !a.AlarmArn) continue;
            out.push({
              name: a.AlarmName,
              arn: a.AlarmArn,
              state: stateOf(a.StateValue),
              ...(a.StateReason ? { stateReason: a.StateReason } : {}),
              ...(a.StateUpdatedTimestamp ? { stateUpdatedAt: a.StateUpdatedTimestamp.toISOString() } : {}),
            });
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

    async deleteAlarms(names) {
      for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
        await client.send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + NAMES_PER_CALL) }));
      }
    },
  });
}
