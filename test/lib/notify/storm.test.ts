import { describe, expect, it } from 'vitest';
import { describeAlert } from '../../../lib/notify/alert.ts';
import {
  planStorm,
  planStormFlush,
  type StormWindow,
  stormSummaryAlert,
  windowsToFlush,
} from '../../../lib/notify/storm.ts';
import { inputFrom } from './support.ts';

const sample = describeAlert(inputFrom('guard/cleanup-failed'));

function window(over: Partial<StormWindow> = {}): StormWindow {
  return {
    key: sample.dedupKey,
    windowStart: '2026-11-20T14:00:00.000Z',
    windowEventId: 'opener',
    suppressed: 0,
    suppressedIds: [],
    collapsedTotal: 0,
    sample,
    ...over,
  };
}

const at = (messageId: string, time: string) => ({ messageId, time });

describe('planStorm', () => {
  it.each([
    [
      'no window: send and open one',
      undefined,
      at('a', '2026-11-20T14:00:00Z'),
      { action: 'send', open: true },
    ],
    [
      'inside the window: collapse',
      window(),
      at('b', '2026-11-20T14:09:59Z'),
      { action: 'collapse', windowEnd: '2026-11-20T14:10:00.000Z' },
    ],
    [
      'a little before the window (out of order): collapse',
      window(),
      at('b', '2026-11-20T13:55:00Z'),
      { action: 'collapse', windowEnd: '2026-11-20T14:10:00.000Z' },
    ],
    [
      'long before the window (very late): send alone, window unchanged',
      window(),
      at('b', '2026-11-20T13:40:00Z'),
      { action: 'send', open: false },
    ],
    [
      'after the window, nothing collapsed: send and open',
      window(),
      at('c', '2026-11-20T14:10:00Z'),
      { action: 'send', open: true },
    ],
    [
      'after the window, with collapsed alerts: send with the count and open',
      window({
        suppressed: 3,
        suppressedIds: ['x', 'y', 'z'],
        firstSuppressedAt: '2026-11-20T14:01:00Z',
        lastSuppressedAt: '2026-11-20T14:08:00Z',
      }),
      at('c', '2026-11-20T14:30:00Z'),
      {
        action: 'send',
        open: true,
        storm: { count: 3, from: '2026-11-20T14:01:00Z', to: '2026-11-20T14:08:00Z' },
      },
    ],
    [
      'the opener retried: send again with what it reported, do not reopen',
      window({ reported: { count: 2, from: 'f', to: 't' } }),
      at('opener', '2026-11-20T14:00:00Z'),
      { action: 'send', open: false, storm: { count: 2, from: 'f', to: 't' } },
    ],
    [
      'an already counted alert retried after the window: still counted, not sent',
      window({ suppressed: 1, suppressedIds: ['b'] }),
      at('b', '2026-11-20T14:30:00Z'),
      { action: 'collapse', windowEnd: '2026-11-20T14:10:00.000Z' },
    ],
  ] as const)('%s', (_name, w, alert, expected) => {
    expect(planStorm(w, alert, 10)).toEqual(expected);
  });
});

describe('planStormFlush', () => {
  const first = planStormFlush(window(), { messageId: 'b' }, 10);

  it('the first alert collapsed into a window schedules a flush at its end plus a minute', () => {
    expect(first).toEqual({
      key: expect.stringMatching(/^storm-[0-9a-f]{40}$/),
      at: '2026-11-20T14:11:00.000Z',
    });
    expect(`notify-${first!.key}`.length).toBeLessThanOrEqual(64);
  });

  it.each([
    [
      'a later alert in the same window: none (the first made it)',
      window({ suppressed: 1, suppressedIds: ['b'], collapsedTotal: 1 }),
      'c',
      false,
    ],
    [
      'the first alert retried after it was counted: the same schedule again',
      window({ suppressed: 2, suppressedIds: ['b', 'c'], collapsedTotal: 2 }),
      'b',
      true,
    ],
    [
      'a later alert retried: none',
      window({ suppressed: 2, suppressedIds: ['b', 'c'], collapsedTotal: 2 }),
      'c',
      false,
    ],
  ] as const)('%s', (_name, w, messageId, same) => {
    const flush = planStormFlush(w, { messageId }, 10);
    expect(flush).toEqual(same ? first : undefined);
  });

  it('a batch counted after the last flush, or in another window or for another key, gets its own schedule', () => {
    const names = [
      planStormFlush(window({ collapsedTotal: 3 }), { messageId: 'b' }, 10)!.key,
      planStormFlush(window({ windowStart: '2026-11-20T15:00:00.000Z' }), { messageId: 'b' }, 10)!.key,
      planStormFlush(window({ key: 'other|status|info' }), { messageId: 'b' }, 10)!.key,
    ];
    expect(new Set([first!.key, ...names]).size).toBe(4);
  });

  it('a dry-run alert storm is timed the same way (the notifier changes nothing but messages)', () => {
    const dry = window({ sample: { ...sample, dryRun: true } });
    expect(planStormFlush(dry, { messageId: 'b' }, 10)).toEqual(first);
  });
});

describe('windowsToFlush', () => {
  const pending = window({ key: 'k1', suppressed: 2, lastSuppressedAt: '2026-11-20T14:05:00Z' });
  it('flushes ended windows with a count, except the current key', () => {
    expect(windowsToFlush([pending], '2026-11-20T14:10:00Z', 'other', 10)).toEqual([pending]);
    expect(windowsToFlush([pending], '2026-11-20T14:09:59Z', 'other', 10)).toEqual([]);
    expect(windowsToFlush([pending], '2026-11-20T14:20:00Z', 'k1', 10)).toEqual([]);
    // The storm timer excepts no key.
    expect(windowsToFlush([pending], '2026-11-20T14:11:00Z', undefined, 10)).toEqual([pending]);
    expect(windowsToFlush([{ ...pending, suppressed: 0 }], '2026-11-20T14:20:00Z', 'other', 10)).toEqual([]);
  });
});

describe('stormSummaryAlert', () => {
  it('reports the count with the opener’s severity, service and links, under a message id unique per count', () => {
    const w = window({
      suppressed: 4,
      collapsedTotal: 9,
      firstSuppressedAt: '2026-11-20T14:01:00Z',
      lastSuppressedAt: '2026-11-20T14:07:00Z',
    });
    const alert = stormSummaryAlert(w);
    expect(alert).toMatchObject({
      severity: 'critical',
      title: 'Storm summary, Cleanup Failed: batch-worker',
      storm: { count: 4, from: '2026-11-20T14:01:00Z', to: '2026-11-20T14:07:00Z' },
      links: sample.links,
      service: sample.service,
    });
    expect(alert.summary).toMatch(/^4 more alerts like the one at 2026-11-20T14:00:00.000Z/);
    expect(alert.messageId).not.toBe(stormSummaryAlert({ ...w, collapsedTotal: 10 }).messageId);
  });
});
