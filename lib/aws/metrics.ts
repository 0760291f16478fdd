import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Job } from '../core/guard-event.ts';
import type { RejectionCounter, RejectionReason } from '../rejections.ts';

/** CloudWatch namespace of the guard's own metrics. */
export const METRICS_NAMESPACE = 'AppRunnerGuard';
/** The `service` dimension Powertools adds to every metric (the Logger's service name too). */
export const METRICS_SERVICE = 'apprunner-guard';
/** Count of events a function rejected. */
export const REJECTED_EVENTS_METRIC = 'RejectedEvents';

/**
 * The rejection counter on Powertools Metrics (CloudWatch embedded metric format: one JSON line
 * on stdout per record, no API call). Each rejection is published at once, as two records:
 * by `job` and `reason` (what a human breaks down by), and by `job` alone (what the per-function
 * alarm watches: a CloudWatch alarm matches a metric's dimensions exactly).
 */
export function createRejectionCounter(metrics = createMetrics()): RejectionCounter {
  return {
    count(job: Job, reason: RejectionReason) {
      metrics.addDimension('job', job);
      metrics.addDimension('reason', reason);
      metrics.addMetric(REJECTED_EVENTS_METRIC, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      metrics.addDimension('job', job);
      metrics.addMetric(REJECTED_EVENTS_METRIC, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}

/** Powertools Metrics with the guard's namespace and service, created once per container. */
export function createMetrics(): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
}
