import { Logger } from '@aws-lambda-powertools/logger';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createNotifyDeps } from '../../lib/aws/notify-deps.ts';
import { createQueueVisibility, createSqsClient } from '../../lib/aws/queue-visibility.ts';
import { loadConfig, loadSlackNotifyConfig } from '../../lib/config.ts';
import { notifyJob } from '../../lib/notify/job.ts';
import { useDynamoDB } from '../support/dynamodb.ts';
import { guardEnv, lambdaContext } from '../support/env.ts';
import { loadFixture } from '../support/fixtures.ts';
import { useSlackWebhook } from '../support/slack.ts';

const SECRET_PATH = '/services/T0000/B0000/s3cr3tT0k3nXYZ';
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const scheduler = mockClient(SchedulerClient);

const db = useDynamoDB({
  tables: { idempotency: guardEnv().IDEMPOTENCY_TABLE!, ledger: guardEnv().LEDGER_TABLE! },
});
const slack = useSlackWebhook();
const slackReceived = slack.delivered as { text: string }[];
let slackUrl: string;
let logs = '';
let handler: (event: unknown, context: Context) => Promise<unknown>;

beforeAll(() => {
  slackUrl = slack.url(SECRET_PATH);
  // Capture every log line (Powertools writes errors to stderr, the rest to stdout).
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs += String(chunk);
      return true;
    });
  }
  // Built as functions/notify.ts builds it, with the config passed in (no process.env).
  const env = guardEnv();
  handler = notifyJob.createQueueHandler(
    createNotifyDeps(loadConfig(env), loadSlackNotifyConfig(env), {
      dynamo: db.client,
      logger: new Logger({ serviceName: 'apprunner-guard', logLevel: 'DEBUG' }),
    }),
    createQueueVisibility(createSqsClient()),
  ) as unknown as typeof handler;
});

afterAll(async () => {
  vi.restoreAllMocks();
});

beforeEach(() => {
  sns.reset();
  ssm.reset();
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: 'x', Type: 'SecureString', Value: slackUrl } });
});

const invoke = (event: unknown) =>
  handler(event, lambdaContext('apprunner-guard-test-notify') as unknown as Context);

/** A fixture with a unique event id (the idempotency key), so tests do not share keys. */
function fresh(
  name: string,
  change?: (raw: Record<string, unknown> & { detail: Record<string, unknown> }) => void,
) {
  const raw = loadFixture<Record<string, unknown> & { id: string; detail: Record<string, unknown> }>(name);
  raw.id = crypto.randomUUID();
  change?.(raw);
  return raw;
}

describe('notify handler', () => {
  it('sends one SNS and one Slack message per event, and nothing again when the event is delivered twice', async () => {
    const event = fresh('guard/rollback-completed');
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));
    expect(first).toMatchObject({ outcome: 'acted', channels: ['sns', 'slack'] });
    expect(second).toEqual(first);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(slackReceived).toHaveLength(1);
    expect(slackReceived[0]!.text).toContain('Rollback Completed: payments-api');
  });

  it('sends nothing of its own for a deployment failure: the rollback outcome reports it', async () => {
    await expect(invoke(fresh('apprunner-operation/deployment-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the rollback outcome',
    });
    await expect(invoke(fresh('apprunner-camel/create-failed'))).resolves.toEqual({
      outcome: 'noop',
      reason: 'reported with the cleanup outcome',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(slackReceived).toHaveLength(0);
  });

  it('a Slack outage is retried without publishing to SNS twice', async () => {
    slack.reply(503);
    const event = fresh('guard/cleanup-failed');
    await expect(invoke(event)).rejects.toThrow('HTTP 503');
    await expect(invoke(event)).resolves.toMatchObject({ outcome: 'acted', channels: ['slack'] });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(slackReceived).toHaveLength(1);
  });

  it('a rejected webhook is terminal, reported through SNS directly, and the URL appears nowhere', async () => {
    slack.reply(404);
    logs = '';
    const event = fresh('guard/schedule-action-failed', (raw) => {
      raw.time = '2026-11-20T18:00:00Z';
    });
    const result = await invoke(event);
    expect(result).toEqual({
      outcome: 'failed',
      reason: 'SlackRejectedError: Slack webhook rejected the message: HTTP 404 no_service',
    });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published.map((p) => p.Subject)).toEqual([
      '[CRITICAL] Schedule Action Failed: checkout-web',
      '[CRITICAL] apprunner-guard could not deliver an alert',
    ]);
    expect(published[1]!.MessageAttributes?.job).toEqual({ DataType: 'String', StringValue: 'notify' });
    expect(logs).toContain('terminal failure');
    for (const text of [JSON.stringify(result), JSON.stringify(published), logs]) {
      expect(text).not.toContain(SECRET_PATH);
      expect(text).not.toContain(slackUrl);
    }
    // Redelivered: the failure was the idempotent result, nobody is alerted twice.
    await invoke(structuredClone(event));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });

  it('rejects events from another account without alerting', async () => {
    await expect(invoke(loadFixture('invalid/foreign-account'))).resolves.toMatchObject({
      outcome: 'rejected',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('alerts a rejected DeploymentFailed of a service of this account through SNS, and counts it as a metric', async () => {
    logs = '';
    const result = await invoke(loadFixture('invalid/service-name-mismatch'));
    expect(result).toMatchObject({ outcome: 'rejected', field: 'detail.ServiceName' });
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(published).toHaveLength(1);
    expect(published[0]!.Subject).toBe('[CRITICAL] Rejected a DeploymentFailed event: payments-api');
    expect(JSON.parse(published[0]!.Message!).actionTaken).toMatch(/^None: the guard took no action/);
    expect(slackReceived).toEqual([]);
    const emf = logs
      .split('\n')
      .filter((l) => l.includes('"RejectedEvents"'))
      .map((l) => JSON.parse(l));
    expect(emf).toEqual([
      expect.objectContaining({ job: 'notify', reason: 'identity', RejectedEvents: 1 }),
      expect.objectContaining({ job: 'notify', RejectedEvents: 1 }),
    ]);
  });

  it('rejects a 5,000-level event cleanly (no crash, no retry) and still alerts the failure it names', async () => {
    await expect(invoke(loadFixture('invalid/deeply-nested'))).resolves.toMatchObject({
      outcome: 'rejected',
      field: 'detail.Extra',
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('alerts a PauseServiceFailed with a 10,000-character Message, normalised and cut', async () => {
    await expect(
      invoke(
        fresh('apprunner-operation/pause-service-failed', (raw) => {
          raw.detail.Message = `Pause failed.\u0000${'x'.repeat(10_000)}`;
        }),
      ),
    ).resolves.toMatchObject({ outcome: 'acted' });
    const body = JSON.parse(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message!);
    expect(body.summary).toContain('Pause failed.\ufffdxxx');
    expect(body.summary).toMatch(/… \[cut \d+ chars\]/);
  });

  describe('storms', () => {
    /** A pause failure of payments-api at `time` (a later day than the other tests' events). */
    const pauseFailed = (time: string) =>
      fresh('apprunner-operation/pause-service-failed', (raw) => {
        raw.time = time;
      });
    const summaries = () =>
      sns
        .commandCalls(PublishCommand)
        .map((c) => c.args[0].input)
        .filter((p) => p.Subject?.includes('Storm summary'));

    it('the first collapsed alert creates a one-time schedule at the window end that invokes notify', async () => {
      await invoke(pauseFailed('2026-12-01T10:00:00Z'));
      expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
      await expect(invoke(pauseFailed('2026-12-01T10:03:00Z'))).resolves.toMatchObject({
        outcome: 'collapsed',
      });
      await invoke(pauseFailed('2026-12-01T10:04:00Z'));
      const calls = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
      expect(calls).toEqual([
        expect.objectContaining({
          Name: expect.stringMatching(/^notify-storm-[0-9a-f]{40}$/),
          GroupName: guardEnv().SCHEDULER_GROUP,
          ScheduleExpression: 'at(2026-12-01T10:11:00)',
          ScheduleExpressionTimezone: 'UTC',
          ActionAfterCompletion: 'DELETE',
          Target: expect.objectContaining({
            Arn: guardEnv().NOTIFY_FUNCTION_ARN,
            RoleArn: guardEnv().SCHEDULER_ROLE_ARN,
            Input: JSON.stringify({
              action: 'flush-storms',
              scheduledTime: '<aws.scheduler.scheduled-time>',
            }),
          }),
        }),
      ]);

      // The schedule fires (twice: Scheduler delivers at least once): one summary per channel.
      const fired = { action: 'flush-storms', scheduledTime: '2026-12-01T10:11:00Z' };
      await expect(invoke(fired)).resolves.toMatchObject({ outcome: 'acted', stormsFlushed: 1 });
      await invoke(structuredClone(fired));
      expect(summaries()).toHaveLength(1);
      expect(JSON.parse(summaries()[0]!.Message!).storm).toEqual({
        count: 2,
        from: '2026-12-01T10:03:00Z',
        to: '2026-12-01T10:04:00Z',
      });
      expect(slackReceived.filter((m) => m.text.includes('Storm summary'))).toHaveLength(1);
    });

    it('a schedule that fires after a later alert carried the count sends nothing', async () => {
      await invoke(pauseFailed('2026-12-02T10:00:00Z'));
      await invoke(pauseFailed('2026-12-02T10:05:00Z'));
      await expect(invoke(pauseFailed('2026-12-02T10:10:30Z'))).resolves.toMatchObject({
        outcome: 'acted',
        reason: expect.stringContaining('with 1 collapsed'),
      });
      sns.resetHistory();
      slack.reset();
      await expect(
        invoke({ action: 'flush-storms', scheduledTime: '2026-12-02T10:11:00Z' }),
      ).resolves.toMatchObject({ outcome: 'noop' });
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
      expect(slackReceived).toHaveLength(0);
    });

    it('rejects a malformed timer payload without alerting', async () => {
      await expect(invoke({ action: 'flush-storms', scheduledTime: 'soon' })).resolves.toMatchObject({
        outcome: 'rejected',
        field: 'scheduledTime',
      });
      expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    });
  });
});
