import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GUARD_DETAIL_TYPES } from '../../lib/core/guard-event.ts';
import { loadRoutes, routeEvent } from '../../sandbox/routes.ts';
import { loadFixture } from '../support/fixtures.ts';

const routes = loadRoutes(fileURLToPath(new URL('../../', import.meta.url)));

/** The guard events the notifier must never receive: routine, or its own failure (a loop). */
const NOT_ALERTED = new Set<string>([
  GUARD_DETAIL_TYPES.releaseRecorded,
  GUARD_DETAIL_TYPES.notificationFailed,
]);

describe('the notifier’s subscription to guard events', () => {
  it.each(Object.values(GUARD_DETAIL_TYPES))('%s', (detailType) => {
    const event = {
      ...loadFixture<Record<string, unknown>>('guard/rollback-failed'),
      'detail-type': detailType,
    };
    expect(routeEvent(routes, event).includes('notify')).toBe(!NOT_ALERTED.has(detailType));
  });
});
