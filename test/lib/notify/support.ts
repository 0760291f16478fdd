import { parseAppRunnerEvent } from '../../../lib/events/app-runner.ts';
import { GUARD_SOURCE, parseGuardEvent } from '../../../lib/events/guard.ts';
import type { NotifyInput } from '../../../lib/notify/alert.ts';
import { ACCOUNT_ID, hubTargets } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';

/** Parses a raw event the way the notify handler does. */
export function parseNotifyInput(raw: unknown): NotifyInput {
  return (raw as { source?: string }).source === GUARD_SOURCE
    ? parseGuardEvent(raw, { accountId: ACCOUNT_ID })
    : parseAppRunnerEvent(raw, { targets: hubTargets() });
}

/** A raw EventBridge event, loosely typed so tests can change it. */
export type RawEvent = { id: string; time: string; detail: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** Loads and parses a fixture, optionally changing the raw event first. */
export function inputFrom(name: string, change?: (raw: RawEvent) => void): NotifyInput {
  const raw = loadFixture<RawEvent>(name);
  change?.(raw);
  return parseNotifyInput(raw);
}
