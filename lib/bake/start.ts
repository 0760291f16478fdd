import type { AlarmsFor, AlarmsIn, AlarmsPort, AlarmView } from '../core/ports/alarms.ts';
import type { ServiceView } from '../core/ports/app-runner.ts';
import type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';
import { isKnownGood, type ReleaseRecord } from '../core/ports/release-ledger.ts';
import { SCHEDULED_TIME, type WakeUps } from '../core/ports/wake-ups.ts';
import { MINUTE_MS } from '../core/time.ts';
import { OWNER_VALUE, TAGS } from '../tags.ts';
import type { BakeOptIn } from './opt-in.ts';

/** Ports the bake window uses beside the release ports. */
export interface BakePorts {
  /** Alarms beside each service (its account and region). */
  alarmsFor: AlarmsFor;
  /** Alarms in one target (the backstop pass over the guard's alarms). */
  alarmsIn: AlarmsIn;
  bakes: BakeLedger;
  wakeUps: WakeUps;
}

/** The bake window's settings (from `config.bake`). */
export interface BakeSettings {
  /** Prefix of the guard's own alarms' names (its IAM policy is scoped to it). */
  alarmPrefix: string;
  /** The default alarm's threshold: percent of requests answered 5xx. */
  thresholdPercent: number;
  /** Deleting the guard's own alarms is only reported (their opt-in ended). */
  dryRun: boolean;
}

/** What becomes of a release about to be recorded. */
export type BakeDecision =
  | { kind: 'none'; note?: string }
  | { kind: 'bake'; minutes: number; bakeUntil: string; alarms: string[]; ownAlarm?: string };

const ms = (t: string | undefined) => (t === undefined ? Number.NaN : Date.parse(t));
const short = (digest: string) => `${digest.slice(0, 19)}…`;

/**
 * Decides whether a successful release bakes before it is known-good. Pure. No opt-in: known-good
 * at once (as without bake windows). An unreadable tag: known-good at once, and a note says why.
 * A digest already known-good (a pin to it, a redeploy): proven already, no bake. Otherwise a
 * candidate until `bake-minutes` after the success.
 */
export function planBake(optIn: BakeOptIn, release: ReleaseRecord, releases: ReleaseRecord[]): BakeDecision {
  if (optIn.kind === 'off') return { kind: 'none' };
  if (optIn.kind === 'invalid') {
    return { kind: 'none', note: `No bake window: ${optIn.reason}; recorded as known-good at once.` };
  }
  if (releases.some((r) => r.digest === release.digest && isKnownGood(r))) {
    return { kind: 'none', note: `${short(release.digest)} is known-good already: no bake.` };
  }
  return {
    kind: 'bake',
    minutes: optIn.minutes,
    bakeUntil: new Date(ms(release.time) + optIn.minutes * MINUTE_MS).toISOString(),
    alarms: optIn.alarms,
    ...(optIn.ownAlarm ? { ownAlarm: optIn.ownAlarm } : {}),
  };
}

/**
 * The alarms already in ALARM when the deployment started: they do not blame it. An alarm that
 * went to ALARM after the deployment started is not among them.
 */
export function firingBefore(alarms: readonly AlarmView[], startedAt: string): AlarmView[] {
  return alarms.filter(
    (a) => a.state === 'ALARM' && (a.stateUpdatedAt === undefined || ms(a.stateUpdatedAt) <= ms(startedAt)),
  );
}

/** The key of a bake's promotion wake-up: one per bake (service + the success that started it). */
export const promotionKey = (service: { id: string }, trigger: string) => `promote-${service.id}-${trigger}`;

/** What {@link beginBake} did, for the Release Recorded details and the alert. */
export interface BakeStarted {
  bake: BakeRecord;
  alarms: AlarmView[];
  firing: AlarmView[];
  missing: string[];
}

/**
 * Starts a bake (idempotent, so a retried success event repeats it harmlessly): creates or updates
 * the guard's default alarm (when no `alarms` tag names the alarms), reads the alarms' states,
 * writes the bake record and asks to be woken at the window's end to promote the candidate.
 */
export async function beginBake(
  service: ServiceView,
  release: ReleaseRecord,
  decision: Extract<BakeDecision, { kind: 'bake' }>,
  deploymentStartedAt: string,
  ports: BakePorts,
  settings: BakeSettings,
): Promise<BakeStarted> {
  if (decision.ownAlarm) {
    await ports.alarmsFor(service.arn).putDefaultAlarm({
      name: decision.ownAlarm,
      serviceArn: service.arn,
      serviceName: service.name,
      serviceId: service.id,
      thresholdPercent: settings.thresholdPercent,
    });
  }
  const previous = await ports.bakes.getBake(service.arn);
  // The opt-in moved from the default alarm to named alarms: the guard's own goes.
  if (previous?.ownAlarm && previous.ownAlarm !== decision.ownAlarm) {
    await deleteOwnAlarm(previous.ownAlarm, ports.alarmsFor(service.arn), settings.dryRun);
  }
  const alarms = await ports.alarmsFor(service.arn).describeAlarms(decision.alarms);
  const firing = firingBefore(alarms, deploymentStartedAt);
  const missing = decision.alarms.filter((name) => !alarms.some((a) => a.name === name));
  const bake: BakeRecord = {
    serviceArn: service.arn,
    trigger: release.eventId,
    imageIdentifier: release.imageIdentifier,
    repository: release.repository,
    digest: release.digest,
    deploymentStartedAt,
    deployedAt: release.time,
    bakeMinutes: decision.minutes,
    bakeUntil: decision.bakeUntil,
    alarms: decision.alarms,
    ...(decision.ownAlarm ? { ownAlarm: decision.ownAlarm } : {}),
    firingAtStart: firing.map((a) => a.name),
    status: 'baking',
  };
  await ports.bakes.recordBake(bake);
  await ports.wakeUps.wakeAt({
    job: 'record-release',
    at: new Date(decision.bakeUntil),
    now: new Date(release.time),
    key: promotionKey(service, release.eventId),
    payload: {
      action: 'promote',
      serviceArn: service.arn,
      digest: release.digest,
      bake: release.eventId,
      scheduledTime: SCHEDULED_TIME,
    },
    description: `apprunner-guard: promote ${service.name}'s candidate ${short(release.digest)} after its ${decision.minutes}-minute bake`,
  });
  return { bake, alarms, firing, missing };
}

/**
 * Ends a bake opt-in that was removed: the guard's own default alarm is deleted (only if its tags
 * say it is the guard's) and the bake record dropped; in dry-run, neither. Returns the alarm
 * deleted (or that would be), if any.
 */
export async function endBakeOptIn(
  serviceArn: string,
  ports: Pick<BakePorts, 'alarmsFor' | 'bakes'>,
  dryRun: boolean,
): Promise<string | undefined> {
  const previous = await ports.bakes.getBake(serviceArn);
  if (!previous) return undefined;
  const deleted = previous.ownAlarm
    ? await deleteOwnAlarm(previous.ownAlarm, ports.alarmsFor(serviceArn), dryRun)
    : undefined;
  if (!dryRun) await ports.bakes.removeBake(serviceArn);
  return deleted;
}

/**
 * Deletes an alarm only if it carries the guard's owner tag: a user's alarm is never deleted. In
 * dry-run it is kept. Returns its name when it was the guard's.
 */
async function deleteOwnAlarm(
  name: string,
  alarms: AlarmsPort,
  dryRun: boolean,
): Promise<string | undefined> {
  const [found] = await alarms.describeAlarms([name]);
  if (!found) return undefined;
  const tags = await alarms.listAlarmTags(found.arn);
  if (tags[TAGS.owner] !== OWNER_VALUE) return undefined;
  if (!dryRun) await alarms.deleteAlarms([name]);
  return name;
}
