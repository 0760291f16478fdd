/**
 * Pure planning of the Slack actions (docs/architecture.md, "Slack actions"): what to change for
 * one authorised click, from what was observed live, with one sentence saying why. No I/O, no
 * clock: "now" is an argument. Rollback plans with the rollback job's own planner; these cover
 * the actions that are tag changes.
 */
import { FAILED_SERVICE_STATUSES } from '../core/app-runner-facts.ts';
import type { WakeUpRequest } from '../core/ports/wake-ups.ts';
import type { ServiceStatus } from '../events/app-runner.ts';
import { planManual } from '../pause-resume/manual.ts';
import type { ScheduleDefinition } from '../pause-resume/schedule-config.ts';
import { isOptedOut, parseOverrideUntil, TAGS, type Tags } from '../tags.ts';

/** A service as observed for an action; `undefined` status: it no longer exists. */
export interface ObservedForAction {
  name: string;
  arn: string;
  status: ServiceStatus | undefined;
  tags: Tags;
}

/** One App Runner call an action makes, in order. */
export type ActionStep =
  | { call: 'tag'; tags: Record<string, string> }
  | { call: 'untag'; keys: string[] }
  | { call: 'resume' };

/** The plan of an action: change something (steps), nothing to do, or decline with why. */
export type ActionPlan =
  | {
      outcome: 'acted';
      reason: string;
      steps: ActionStep[];
      /** Asked for before the steps: the wake-up at an override's end that pauses the service again. */
      wake?: WakeUpRequest;
    }
  | { outcome: 'noop' | 'skipped'; reason: string; steps: [] };

/** The guard's marker of what it last did, naming the Slack user. */
export function slackLastAction(action: string, userId: string, now: Date): Record<string, string> {
  return { [TAGS.lastAction]: `${action} by Slack user ${userId}@${now.toISOString()}` };
}

const nothing = (outcome: 'noop' | 'skipped', reason: string): ActionPlan => ({ outcome, reason, steps: [] });

/** Statuses in which cleanup may delete a service, or is deleting it. */
const KEEPABLE: readonly (ServiceStatus | undefined)[] = [
  ...FAILED_SERVICE_STATUSES,
  'OPERATION_IN_PROGRESS',
];

/**
 * *Keep this service*: opts the failed service out of cleanup (`apprunner-guard:cleanup=off`).
 * The pending deletion schedule re-checks the tag when it fires and keeps the service
 * (`Failed Service Kept`), so no schedule needs deleting and a lost race cannot delete it.
 */
export function planKeepService(obs: ObservedForAction, userId: string, now: Date): ActionPlan {
  if (obs.status === undefined || obs.status === 'DELETED') {
    return nothing('noop', `${obs.name} is already deleted; there is nothing to keep.`);
  }
  if (isOptedOut(obs.tags, TAGS.cleanup)) {
    return nothing('noop', `${obs.name} is already kept (${TAGS.cleanup}=off); nothing changed.`);
  }
  if (!KEEPABLE.includes(obs.status)) {
    return nothing(
      'skipped',
      `${obs.name} is ${obs.status}, not failed: no deletion is pending, so nothing changed.`,
    );
  }
  return {
    outcome: 'acted',
    reason: `${obs.name} is kept: tagged ${TAGS.cleanup}=off, so the scheduled deletion leaves it alone. Remove the tag, or delete the service by hand, when you are done with it.`,
    steps: [
      { call: 'tag', tags: { [TAGS.cleanup]: 'off', ...slackLastAction('keep-service', userId, now) } },
    ],
  };
}

/**
 * *Keep running until…*: sets `apprunner-guard:override-until`, so the schedule leaves the
 * service running until then; a service already paused is resumed with the same override (the
 * manual resume's plan, with its safety checks). Its schedule's runs will not look at it again
 * before their next fire, so when `schedules` holds the service's schedule (as deployed) and it
 * wants the service paused at `until`, the plan asks for a wake-up then; without it, the reason
 * says nothing pauses the service at the end.
 */
export function planKeepRunning(
  obs: ObservedForAction,
  until: Date,
  userId: string,
  now: Date,
  schedules: readonly ScheduleDefinition[] = [],
): ActionPlan {
  if (obs.status === undefined || obs.status === 'DELETED') {
    return nothing('noop', `${obs.name} no longer exists; nothing to keep running.`);
  }
  if (until.getTime() <= now.getTime()) {
    return nothing(
      'skipped',
      `The time chosen (${until.toISOString()}) is not in the future; nothing changed.`,
    );
  }
  if ((FAILED_SERVICE_STATUSES as readonly string[]).includes(obs.status)) {
    return nothing('skipped', `${obs.name} is ${obs.status}: it cannot run; nothing changed.`);
  }
  const last = slackLastAction('keep-running', userId, now);
  if (obs.status === 'PAUSED') {
    const manual = planManual('resume', { ...obs, status: obs.status }, schedules, now, { until });
    if (manual.verdict !== 'act') return nothing('skipped', manual.message);
    const steps = manual.steps.map(
      (s): ActionStep =>
        s.call === 'tag' && TAGS.lastAction in s.tags ? { call: 'tag', tags: last } : (s as ActionStep),
    );
    const schedule = obs.tags[TAGS.schedule]?.trim();
    const end = manual.wakeNote
      ? ` ${manual.wakeNote}.`
      : schedule && !schedules.some((s) => s.name === schedule)
        ? ` Schedule ${schedule} is not deployed in this stack, so nothing pauses it when that time comes: pause it by hand (guard pause ${obs.name}) if it should not run on.`
        : '';
    return {
      outcome: 'acted',
      reason: `${obs.name} was paused; resumed, and the schedule leaves it running until ${until.toISOString()}.${end}`,
      steps,
      ...(manual.wake ? { wake: manual.wake } : {}),
    };
  }
  const current = parseOverrideUntil(obs.tags[TAGS.overrideUntil]);
  if (current instanceof Date && current.getTime() >= until.getTime()) {
    return nothing(
      'noop',
      `${obs.name} is already kept running until ${current.toISOString()}; nothing changed.`,
    );
  }
  return {
    outcome: 'acted',
    reason: `${obs.name} keeps running: the schedule leaves it alone until ${until.toISOString()} (${TAGS.overrideUntil}).`,
    steps: [{ call: 'tag', tags: { [TAGS.overrideUntil]: until.toISOString(), ...last } }],
  };
}
