/**
 * How events reach the event-driven functions through their SQS queues, and how long each job may
 * wait for an event to succeed (docs: README "Buffered delivery"). One place for these numbers:
 * the template (`infra/routes.ts` → `infra/resources.cjs`), the queue-delivery wrapper and the
 * sandbox all read them from here.
 */

/** The functions that read their events from a queue (Scheduler-invoked paths call functions directly). */
export const QUEUE_JOBS = [
  'record-release',
  'rollback',
  'fix-forward',
  'notify',
  'cleanup',
  'slack-actions-job',
] as const;
export type QueueJob = (typeof QUEUE_JOBS)[number];

/** SQS's limit on a message's visibility timeout (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The queue's and the event source mapping's settings, the same for every function.
 *
 * - `visibilityTimeoutSeconds`: six times the functions' 60-second timeout, as AWS recommends for
 *   a queue feeding Lambda (a batch that is still being worked on never reappears).
 * - `maxReceiveCount`: the redrive policy's receive count before the DLQ. It must outlast both ways
 *   a message is received again: a retryable error's backoff ({@link backoffSeconds}: 30 s doubling
 *   to 15 minutes, so 28 receives cover the longest maximum wait, 6 hours) and a job's "retry after a
 *   delay" (bounded by the job's maximum wait below; the wrapper also gives up, reported once, on
 *   the last receive rather than let the message fall silently into the DLQ). 100 receives leaves
 *   room for both; what reaches the DLQ is a message that kept crashing the function.
 * - `batchSize` / `maximumBatchingWindowSeconds`: small batches, delivered within 5 seconds; a
 *   failed record never holds the others back (`ReportBatchItemFailures`).
 * - `retentionSeconds`: four days on the queue, fourteen on the DLQ (time for a human).
 */
export const QUEUE_DELIVERY = {
  functionTimeoutSeconds: 60,
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 100,
  batchSize: 10,
  maximumBatchingWindowSeconds: 5,
  retentionSeconds: 4 * 24 * 60 * 60,
  dlqRetentionSeconds: 14 * 24 * 60 * 60,
} as const;

/**
 * The longest a job keeps an event coming back ("retry after a delay") before it reports the
 * event `failed` once and lets it go, counted from when the event entered the queue.
 * - record-release: 6 hours (a release recorded late is still the known-good one);
 * - rollback: 1 hour (App Runner's own rollback of a failed deployment takes 15–20 minutes; an
 *   hour later a human must look);
 * - fix-forward: 1 hour (a release waits for an operation in progress; after that the pin holds
 *   and `guard unpin` is left to a human);
 * - notify: 6 hours (an alert is worth delivering after a Slack or SNS outage of hours);
 * - cleanup: 6 hours (a deletion that cannot run for longer is handed to a human; the hourly
 *   sweep still sees the service);
 * - slack-actions-job: 1 hour (someone clicked a button and is waiting to see it take effect;
 *   an hour later the click is stale and a human should look).
 */
export const MAX_WAIT_SECONDS: Readonly<Record<QueueJob, number>> = {
  'record-release': 6 * 60 * 60,
  rollback: 60 * 60,
  'fix-forward': 60 * 60,
  notify: 6 * 60 * 60,
  cleanup: 6 * 60 * 60,
  'slack-actions-job': 60 * 60,
};

/** First backoff of a retryable error, and its cap. */
export const RETRY_BACKOFF = { firstSeconds: 30, maxSeconds: 15 * 60 } as const;

/**
 * Seconds before a message whose handling failed with a retryable error is received again:
 * 30 s on the first receive, doubling, capped at 15 minutes.
 */
export function backoffSeconds(receiveCount: number): number {
  const n = Math.max(1, Math.floor(receiveCount));
  return Math.min(RETRY_BACKOFF.maxSeconds, RETRY_BACKOFF.firstSeconds * 2 ** Math.min(n - 1, 20));
}
