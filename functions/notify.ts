import { Logger } from '@aws-lambda-powertools/logger';
import { createDynamoDBClient, createIdempotencyStore } from '../lib/aws/idempotency.ts';
import { createRejectionCounter } from '../lib/aws/metrics.ts';
import { createNotifyLedger } from '../lib/aws/notify-ledger.ts';
import { createQueueVisibility, createSqsClient } from '../lib/aws/queue-visibility.ts';
import { createGuardScheduler } from '../lib/aws/scheduler.ts';
import { createSsmClient, createWebhookUrlSource } from '../lib/aws/secrets.ts';
import { createSlackWebhook } from '../lib/aws/slack.ts';
import { createSnsClient, createSnsPublisher } from '../lib/aws/sns.ts';
import { loadConfig } from '../lib/config.ts';
import { deliverFromQueue } from '../lib/core/queue-delivery.ts';
import { parseAppRunnerEvent } from '../lib/events/app-runner.ts';
import { GUARD_SOURCE, parseGuardEvent } from '../lib/events/guard.ts';
import { notifyPayloadSchema, parseSchedulerPayload } from '../lib/events/scheduler.ts';
import { notify } from '../lib/notify/notify.ts';
import { createRejectedFailureAlerter } from '../lib/notify/rejected-failure.ts';
import { createNotifyFailureReporter } from '../lib/notify/report-failure.ts';
import { createRejectionHandler } from '../lib/rejections.ts';
import { withGuard } from '../lib/with-guard.ts';

const config = loadConfig(process.env);
const logger = new Logger({ serviceName: 'apprunner-guard' });
const dynamo = createDynamoDBClient();
const rejections = createRejectionCounter();
const sns = createSnsPublisher(createSnsClient(), config.alertTopicArn);
const deps = {
  sns,
  slack: createSlackWebhook({ url: createWebhookUrlSource(createSsmClient(), config.slackWebhookParameter) }),
  ledger: createNotifyLedger(dynamo, config.ledgerTable),
  // Only storms use it (the timer that flushes a window's count at its end).
  scheduler: createGuardScheduler(config),
  notifyFunctionArn: config.scheduler.notifyFunctionArn,
};

const queue = createQueueVisibility(createSqsClient());
const onReject = createRejectionHandler({
  job: 'notify',
  counter: rejections,
  alert: createRejectedFailureAlerter({ job: 'notify', accountId: config.accountId, sns }),
});
// Terminal failures go to SNS directly: a guard event would route back to this function.
const reportFailure = createNotifyFailureReporter(sns);

function parse(raw: unknown) {
  const source = (raw as { source?: unknown } | null)?.source;
  if (source === undefined && typeof raw === 'object' && raw !== null && 'action' in raw) {
    // The storm timer (a Scheduler payload, not an event): one run per scheduled time.
    const payload = parseSchedulerPayload(notifyPayloadSchema, raw);
    return {
      key: `${payload.action}#${payload.scheduledTime}`,
      input: payload,
      logKeys: { action: payload.action },
    };
  }
  const input =
    source === GUARD_SOURCE
      ? parseGuardEvent(raw, { accountId: config.accountId })
      : parseAppRunnerEvent(raw, { accountId: config.accountId });
  const service = input.kind === 'guard' ? input.detail.service?.arn : input.service.arn;
  return { key: input.eventId, input, logKeys: { serviceArn: service, source } };
}

const handleEvent = withGuard({
  job: 'notify',
  logger,
  parse,
  onReject,
  run: (input, ctx) => notify(input, deps, ctx),
  reportFailure,
  persistenceStore: createIdempotencyStore(dynamo, config.idempotencyTable),
});

// Events come from the notify queue; the storm timer (a Scheduler payload) passes through unchanged.
export const handler = deliverFromQueue(handleEvent, {
  job: 'notify',
  visibility: queue,
  logger,
  onReject,
  onGiveUp: (event, error) => reportFailure(parse(event).input, error),
});
