import { describe, expect, it } from 'vitest';
import {
  buildGuardEvent,
  GUARD_DETAIL_TYPES,
  GUARD_EVENT_LIMITS,
  GUARD_SOURCE,
  type GuardEventInput,
} from '../../../lib/core/guard-event.ts';
import { OUTCOME_MEANINGS, OUTCOMES } from '../../../lib/core/outcomes.ts';
import { CUT_MARKER_PATTERN } from '../../../lib/core/text.ts';
import { parseGuardEvent } from '../../../lib/events/guard.ts';
import { createFailureReporter } from '../../../lib/report-failure.ts';
import { ACCOUNT_ID } from '../../support/env.ts';

const SERVICE = {
  arn: `arn:aws:apprunner:us-east-1:${ACCOUNT_ID}:service/payments-api/0123456789abcdef`,
  name: 'payments-api',
  region: 'us-east-1',
  account: ACCOUNT_ID,
};

const base: GuardEventInput = {
  job: 'cleanup',
  outcome: 'failed',
  action: 'delete-service',
  reason: 'could not delete',
  service: SERVICE,
  trigger: 'sweep@2026-12-01T16:00:00Z',
  dryRun: false,
};

/** What the notifier would do with a published entry: parse it as EventBridge delivers it. */
function deliver(entry: ReturnType<typeof buildGuardEvent>) {
  return parseGuardEvent(
    {
      id: 'e-1',
      'detail-type': entry.detailType,
      source: GUARD_SOURCE,
      account: ACCOUNT_ID,
      time: '2026-12-01T16:00:00Z',
      detail: JSON.parse(JSON.stringify(entry.detail)),
    },
    { accountId: ACCOUNT_ID },
  );
}

describe('buildGuardEvent', () => {
  it('builds an event the notifier parses, projecting the service', () => {
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, {
      ...base,
      service: { ...SERVICE, extra: 'dropped' } as typeof SERVICE,
    });
    expect(deliver(entry).detail).toEqual({
      ...base,
      details: {},
      where: { account: SERVICE.account, region: SERVICE.region },
    });
  });

  it('names where an event without a service happened (a target of a sweep or a fleet run)', () => {
    const { service: _omit, ...noService } = base;
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.quotaWarning, {
      ...noService,
      where: { account: '222233334444', region: 'eu-west-1' },
    });
    expect(deliver(entry).detail.where).toEqual({ account: '222233334444', region: 'eu-west-1' });
    expect(() =>
      buildGuardEvent(GUARD_DETAIL_TYPES.quotaWarning, {
        ...noService,
        where: { account: 'nope', region: 'eu-west-1' },
      }),
    ).toThrow(/where\.account/);
  });

  it('cuts a 5,000-character error message to the bound, with a marker, and it still parses', () => {
    const reason = `The guard could not finish: ${'x'.repeat(5_000)}`;
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, { ...base, reason });
    expect(entry.detail.reason).toHaveLength(GUARD_EVENT_LIMITS.reasonChars);
    expect(entry.detail.reason).toMatch(CUT_MARKER_PATTERN);
    expect(entry.detail.reason.startsWith('The guard could not finish: xxx')).toBe(true);
    expect(deliver(entry).detail.reason).toBe(entry.detail.reason);
  });

  it('bounds hostile text: empty reason, huge action and trigger, emoji at the cut', () => {
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, {
      ...base,
      reason: '   ',
      action: 'a'.repeat(500),
      trigger: '😀'.repeat(600),
    });
    expect(entry.detail.reason).toBe('(no reason given)');
    expect(entry.detail.action).toHaveLength(GUARD_EVENT_LIMITS.actionChars);
    expect(entry.detail.trigger.length).toBeLessThanOrEqual(GUARD_EVENT_LIMITS.triggerChars);
    // never half a surrogate pair before the marker
    expect(entry.detail.trigger.replace(CUT_MARKER_PATTERN, '')).toMatch(/^(😀)+$/u);
    expect(() => deliver(entry)).not.toThrow();
  });

  it('bounds hostile details: long strings, deep nesting, wide objects, huge arrays, cycles, odd values', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const deep = { a: { b: { c: { d: { e: { f: 'too deep' } } } } } };
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, {
      ...base,
      details: {
        message: 'm'.repeat(10_000),
        deep,
        wide,
        list: Array.from({ length: 1_000 }, (_, i) => i),
        cycle,
        when: new Date('2026-12-01T16:00:00Z'),
        error: new RangeError('bad'),
        big: 10n,
        nan: Number.NaN,
        fn: () => 1,
        gone: undefined,
        ['k'.repeat(1_000)]: 'long key',
      },
    });
    const d = entry.detail.details as Record<string, unknown>;
    expect((d.message as string).length).toBe(GUARD_EVENT_LIMITS.detailStringChars);
    expect(JSON.stringify(d.deep)).not.toContain('too deep"}');
    expect(Object.keys(d.wide as object)).toHaveLength(GUARD_EVENT_LIMITS.detailEntries);
    expect(d.list as unknown[]).toHaveLength(GUARD_EVENT_LIMITS.detailEntries);
    expect((d.list as unknown[]).at(-1)).toBe(`… ${1_000 - GUARD_EVENT_LIMITS.detailEntries + 1} more`);
    expect(d.cycle).toEqual({ name: 'loop', self: '[circular]' });
    expect(d).toMatchObject({
      when: '2026-12-01T16:00:00.000Z',
      error: 'RangeError: bad',
      big: '10',
      nan: 'NaN',
    });
    expect(d).not.toHaveProperty('fn');
    expect(d).not.toHaveProperty('gone');
    expect(() => deliver(entry)).not.toThrow();
  });

  it('keeps the scalars when the whole of details is still too large, and says so', () => {
    const many = Object.fromEntries(
      Array.from({ length: 90 }, (_, i) => [`blob${i}`, { text: 'y'.repeat(1_000) }]),
    );
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, {
      ...base,
      details: { status: 'CREATE_FAILED', ...many },
    });
    expect(entry.detail.details).toMatchObject({ status: 'CREATE_FAILED', detailsCut: expect.any(String) });
    expect(() => deliver(entry)).not.toThrow();
  });

  it('is strict on identity: an unknown job, outcome, detail-type or a bad service account is a bug', () => {
    expect(() =>
      buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, { ...base, job: 'nope' as never }),
    ).toThrow(/job/);
    expect(() =>
      buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, { ...base, outcome: 'collapsed' as never }),
    ).toThrow(/outcome/);
    expect(() => buildGuardEvent('Something Else' as never, base)).toThrow(/detail-type/);
    expect(() =>
      buildGuardEvent(GUARD_DETAIL_TYPES.cleanupFailed, { ...base, service: { ...SERVICE, account: 'x' } }),
    ).toThrow(/service\.account/);
  });

  it('a terminal failure with a >2,000-character message is published and reaches the notifier', async () => {
    const published: ReturnType<typeof buildGuardEvent>[] = [];
    const report = createFailureReporter(
      { publish: async (entries) => void published.push(...entries) },
      'cleanup',
      false,
      () => ({ service: { ...SERVICE, id: '0123456789abcdef' }, trigger: 'evt-1' }),
    );
    await report(undefined, new Error(`DeleteService refused: ${'z'.repeat(5_000)}`));
    expect(published).toHaveLength(1);
    expect(deliver(published[0]!).detail).toMatchObject({ outcome: 'failed', details: { error: 'Error' } });
  });
});

describe('outcomes', () => {
  it('defines every outcome once, with one meaning, including collapsed for storms', () => {
    expect(OUTCOMES).toEqual(['acted', 'noop', 'skipped', 'deferred', 'failed', 'rejected', 'collapsed']);
    for (const o of OUTCOMES) expect(OUTCOME_MEANINGS[o].length).toBeGreaterThan(10);
  });
});
