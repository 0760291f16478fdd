import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMetrics,
  createRejectionCounter,
  METRICS_NAMESPACE,
  REJECTED_EVENTS_METRIC,
} from '../../../lib/aws/metrics.ts';

/** EMF records written to stdout while `fn` runs. */
function emfLines(fn: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));
}

afterEach(() => vi.unstubAllEnvs());

describe('createRejectionCounter (Powertools Metrics, EMF)', () => {
  it('emits RejectedEvents by job and reason, and by job alone for the alarm', () => {
    vi.stubEnv('POWERTOOLS_DEV', '');
    const counter = createRejectionCounter(createMetrics());
    const records = emfLines(() => counter.count('rollback', 'depth'));
    expect(records).toHaveLength(2);
    const [byReason, byJob] = records as Array<{
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: unknown[] }> };
      [key: string]: unknown;
    }>;
    expect(byReason!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service', 'job', 'reason']],
        Metrics: [{ Name: REJECTED_EVENTS_METRIC, Unit: 'Count' }],
      },
    ]);
    expect(byReason).toMatchObject({
      service: 'apprunner-guard',
      job: 'rollback',
      reason: 'depth',
      RejectedEvents: 1,
    });
    expect(byJob!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'job']]);
    expect(byJob).toMatchObject({ service: 'apprunner-guard', job: 'rollback', RejectedEvents: 1 });
    expect(byJob).not.toHaveProperty('reason');
  });
});
