import { describe, expect, it } from 'vitest';
import { DETAIL_PRESENTATION, NOT_FACT_DETAILS } from '../../../lib/core/detail-facts.ts';
import { JOBS } from '../../../lib/core/guard-event.ts';
import { detailFacts } from '../../../lib/notify/alert-text.ts';

describe("each job's declared detail facts", () => {
  it('every job declares how its details read, with no key declared twice', () => {
    for (const job of JOBS) {
      const { first, inPlace = [] } = DETAIL_PRESENTATION[job];
      const keys = [...first, ...inPlace].map((f) => f.key);
      expect(new Set(keys).size, job).toBe(keys.length);
      expect(
        keys.filter((k) => NOT_FACT_DETAILS.has(k)),
        job,
      ).toEqual([]);
    }
  });

  it("the notifier shows a job's declared facts first, under its labels, then the rest where they stand", () => {
    const facts = detailFacts('cleanup', {
      failureStatus: 'CREATE_FAILED',
      region: 'eu-west-1',
      counts: { deleted: 2, kept: 1 },
      snapshotKey: 'snapshot#x',
      deleteAt: '2026-11-20T15:05:00.000Z',
      followUp: { nested: { deep: true } },
    });
    expect(facts).toEqual([
      { label: 'Deletion at', value: '2026-11-20T15:05:00.000Z' },
      { label: 'Snapshot', value: 'snapshot#x' },
      { label: 'region', value: 'eu-west-1' },
      { label: 'Counts', value: 'deleted 2, kept 1' },
    ]);
  });

  it("a label is the declaring job's: another job's key reads under its own name", () => {
    expect(detailFacts('record-release', { snapshotKey: 'k' })).toEqual([
      { label: 'snapshotKey', value: 'k' },
    ]);
  });
});
