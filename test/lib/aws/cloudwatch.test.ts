import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlarmGateways, createAlarmsGateway } from '../../../lib/aws/cloudwatch.ts';
import { RetryableError } from '../../../lib/core/errors.ts';
import { sdkError } from '../../support/sdk-errors.ts';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());
const gateway = () => createAlarmsGateway(new CloudWatchClient({ region: 'us-east-1' }));
const ARN = 'arn:aws:cloudwatch:us-east-1:111122223333:alarm:apprunner-guard-dev-bake-payments-api-8fe1';
const SERVICE_ARN =
  'arn:aws:apprunner:us-east-1:111122223333:service/payments-api/8fe1e10304f84fd2b0df550fe98a71fa';

describe('CloudWatch adapter', () => {
  it('creates the default alarm on App Runner’s metrics: 5xx share above the threshold for 2 of 3 minutes, tagged as the guard’s', async () => {
    cw.on(PutMetricAlarmCommand).resolves({});
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'x', AlarmArn: ARN }] });
    cw.on(TagResourceCommand).resolves({});
    await gateway().putDefaultAlarm({
      name: 'apprunner-guard-dev-bake-payments-api-8fe1',
      serviceArn: SERVICE_ARN,
      serviceName: 'payments-api',
      serviceId: '8fe1e10304f84fd2b0df550fe98a71fa',
      thresholdPercent: 5,
    });
    const input = cw.commandCalls(PutMetricAlarmCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      AlarmName: 'apprunner-guard-dev-bake-payments-api-8fe1',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Tags: [
        { Key: 'apprunner-guard:owner', Value: 'apprunner-guard' },
        { Key: 'apprunner-guard:service', Value: SERVICE_ARN },
      ],
    });
    const metrics = input.Metrics!;
    expect(metrics.find((m) => m.ReturnData)?.Expression).toBe(
      'IF(requests > 0, 100 * errors / requests, 0)',
    );
    expect(metrics.map((m) => m.MetricStat?.Metric?.MetricName).filter(Boolean)).toEqual([
      '5xxStatusResponses',
      'Requests',
    ]);
    for (const m of metrics.filter((x) => x.MetricStat)) {
      expect(m.MetricStat).toMatchObject({
        Metric: {
          Namespace: 'AWS/AppRunner',
          Dimensions: [
            { Name: 'ServiceName', Value: 'payments-api' },
            { Name: 'ServiceID', Value: '8fe1e10304f84fd2b0df550fe98a71fa' },
          ],
        },
        Period: 60,
        Stat: 'Sum',
      });
    }
    // An existing alarm keeps its tags on PutMetricAlarm: they are set again explicitly.
    expect(cw.commandCalls(TagResourceCommand)[0]!.args[0].input).toMatchObject({ ResourceARN: ARN });
  });

  it('reads alarms’ states (metric and composite), 100 names per call', async () => {
    cw.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.slice(0, 1).map((name) => ({
        AlarmName: name,
        AlarmArn: `${ARN}-${name}`,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed',
        StateUpdatedTimestamp: new Date('2026-11-20T14:12:40.989Z'),
      })),
      CompositeAlarms: [],
    }));
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    const alarms = await gateway().describeAlarms(names);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    expect(alarms[0]).toEqual({
      name: 'alarm-0',
      arn: `${ARN}-alarm-0`,
      state: 'ALARM',
      stateReason: 'Threshold Crossed',
      stateUpdatedAt: '2026-11-20T14:12:40.989Z',
    });
  });

  it('reads tags and deletes alarms; throttling is retryable', async () => {
    cw.on(ListTagsForResourceCommand).resolves({
      Tags: [{ Key: 'apprunner-guard:owner', Value: 'apprunner-guard' }],
    });
    cw.on(DeleteAlarmsCommand).resolves({});
    expect(await gateway().listAlarmTags(ARN)).toEqual({ 'apprunner-guard:owner': 'apprunner-guard' });
    await gateway().deleteAlarms(['a']);
    expect(cw.commandCalls(DeleteAlarmsCommand)[0]!.args[0].input).toEqual({ AlarmNames: ['a'] });
    cw.on(DescribeAlarmsCommand).rejects(sdkError('Throttling', 'Rate exceeded', { status: 400 }));
    await expect(gateway().describeAlarms(['a'])).rejects.toBeInstanceOf(RetryableError);
  });

  it('lists the alarms under a name prefix, every page (the backstop pass over the guard’s alarms)', async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'apprunner-guard-dev-bake-a-1', AlarmArn: `${ARN}-a`, StateValue: 'OK' }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricAlarms: [
          { AlarmName: 'apprunner-guard-dev-bake-b-2', AlarmArn: `${ARN}-b`, StateValue: 'ALARM' },
        ],
      });
    const alarms = await gateway().listAlarmsByPrefix('apprunner-guard-dev-bake-');
    expect(alarms.map((a) => [a.name, a.state])).toEqual([
      ['apprunner-guard-dev-bake-a-1', 'OK'],
      ['apprunner-guard-dev-bake-b-2', 'ALARM'],
    ]);
    const calls = cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({
      AlarmNamePrefix: 'apprunner-guard-dev-bake-',
      AlarmTypes: ['MetricAlarm'],
    });
    expect(calls[1]).toMatchObject({ NextToken: 'page-2' });
  });

  it('one client per target, shared by the per-service and per-target views', () => {
    const made: string[] = [];
    const { alarmsFor, alarmsIn } = createAlarmGateways((account, region) => {
      made.push(`${account}/${region}`);
      return { region };
    });
    const hub = alarmsFor(SERVICE_ARN);
    expect(alarmsIn({ account: '111122223333', region: 'us-east-1' })).toBe(hub);
    expect(alarmsIn({ account: '444455556666', region: 'eu-west-1' })).not.toBe(hub);
    expect(made).toEqual(['111122223333/us-east-1', '444455556666/eu-west-1']);
    expect(() => alarmsFor('arn:aws:ec2:us-east-1:111122223333:instance/i-1')).toThrow(
      /not an App Runner service ARN/,
    );
  });
});
