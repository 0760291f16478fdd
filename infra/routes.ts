/**
 * Which function hears which EventBridge pattern files, through which queue: the one routing
 * table. The template (`infra/resources.cjs`: one rule per pattern file targeting the function's
 * queue, the queue, its policy, DLQ and alarm; `serverless.yml`: each function's `sqs` event) and
 * the sandbox (`sandbox/routes.ts`) both read it, so what is deployed is what is tested.
 *
 * @module
 */
import { QUEUE_DELIVERY, QUEUE_JOBS, type QueueJob } from '../lib/core/delivery-policy.ts';

/** One event-driven function: its CloudFormation prefix and its pattern files (in `infra/patterns/`). */
export interface QueueRoute {
  /** Logical-id prefix: `<id>Queue`, `<id>Dlq`, `<id>Role`, `<id>QueuePolicy`, `<id>Rule<n>`. */
  id: string;
  patterns: readonly string[];
}

export const QUEUE_ROUTES: Readonly<Record<QueueJob, QueueRoute>> = {
  'record-release': {
    id: 'RecordRelease',
    patterns: ['record-release.json', 'bake-tag-change.json', 'bake-service-deleted.json'],
  },
  rollback: { id: 'Rollback', patterns: ['rollback.json', 'bake-alarm.json'] },
  'fix-forward': { id: 'FixForward', patterns: ['fix-forward.json'] },
  notify: {
    id: 'Notify',
    patterns: ['notify-operation-failed.json', 'notify-service-failed.json', 'notify-guard-actions.json'],
  },
  cleanup: { id: 'Cleanup', patterns: ['cleanup-failed-service.json'] },
  'slack-actions-job': { id: 'SlackActionsJob', patterns: ['slack-action-requested.json'] },
};

/** The routes in table order: function name, logical-id prefix, pattern files. */
export function queueRoutes(): Array<{ functionName: QueueJob } & QueueRoute> {
  return QUEUE_JOBS.map((functionName) => ({ functionName, ...QUEUE_ROUTES[functionName] }));
}

/** The logical ids of one function's queue resources. */
export function queueIds(fn: QueueJob) {
  const { id, patterns } = QUEUE_ROUTES[fn];
  return {
    queue: `${id}Queue`,
    dlq: `${id}Dlq`,
    policy: `${id}QueuePolicy`,
    rules: patterns.map((_, i) => `${id}Rule${i + 1}`),
  };
}

/**
 * A function's `sqs` event in `serverless.yml` (the Lambda event source mapping): batches from its
 * own queue, each failed record reported on its own (`ReportBatchItemFailures`).
 */
export function sqsEvent(fn: QueueJob) {
  return {
    arn: { 'Fn::GetAtt': [queueIds(fn).queue, 'Arn'] },
    batchSize: QUEUE_DELIVERY.batchSize,
    maximumBatchingWindow: QUEUE_DELIVERY.maximumBatchingWindowSeconds,
    functionResponseType: 'ReportBatchItemFailures',
  };
}
