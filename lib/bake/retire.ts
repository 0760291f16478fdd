/**
 * Retiring the guard's default alarms (docs/architecture.md, "Bake window"): the guard owns a
 * service's default alarm only while the service exists and is opted in with `bake-minutes`
 * without its own `alarms`. A tag change (event), the service's deletion (event) or the backstop
 * pass (hourly, for events App Runner may not send) finds an alarm that no longer serves and
 * deletes it; an opt-in added to a running service gets its alarm at once.
 *
 * @module
 */
import { buildGuardEvent, GUARD_DETAIL_TYPES, type GuardEventEntry } from '../core/guard-event.ts';
import type { AlarmsPort, AlarmView } from '../core/ports/alarms.ts';
import { defaultAlarmName } from '../core/ports/alarms.ts';
import type { ServiceView } from '../core/ports/app-runner.ts';
import type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';
import type { ServiceRef } from '../events/app-runner.ts';
import { OWNER_VALUE, TAGS, type Tags } from '../tags.ts';
import { readBakeOptIn } from './opt-in.ts';

/** Why one of the guard's alarms goes. */
export type RetireCode =
  | 'service-deleted'
  | 'opt-in-removed'
  | 'opt-in-unreadable'
  | 'alarms-tag'
  | 'not-the-default';

/** What becomes of one of the guard's alarms. */
export type OwnAlarmPlan =
  | { action: 'keep'; reason: string }
  | { action: 'delete'; code: RetireCode; reason: string };

/** The service an alarm of the guard watches, as observed now (`undefined`: it no longer exists). */
export interface ObservedService {
  live: Pick<ServiceView, 'name' | 'id' | 'status'> | undefined;
  /** Its tags (empty when it is gone). */
  tags: Tags;
}

const gone = (o: ObservedService) => !o.live || o.live.status === 'DELETED';

/**
 * Whether one of the guard's own alarms still serves its service. Pure. It does while the service
 * exists and its tags opt it into a bake with the guard's default alarm, and the alarm is that
 * default alarm; otherwise it goes, and the reason says why.
 */
export function planOwnAlarm(alarm: string, o: ObservedService, alarmPrefix: string): OwnAlarmPlan {
  if (gone(o) || !o.live) {
    return {
      action: 'delete',
      code: 'service-deleted',
      reason: 'its service no longer exists',
    };
  }
  const optIn = readBakeOptIn(o.tags, o.live, alarmPrefix);
  if (optIn.kind === 'off') {
    return {
      action: 'delete',
      code: 'opt-in-removed',
      reason: `the service is no longer opted into a bake window (no tag ${TAGS.bakeMinutes})`,
    };
  }
  if (optIn.kind === 'invalid') {
    return {
      action: 'delete',
      code: 'opt-in-unreadable',
      reason: `the service's bake opt-in cannot be read (${optIn.reason}), so no bake watches the alarm; the guard creates it again once the tag is fixed`,
    };
  }
  if (!optIn.ownAlarm) {
    return {
      action: 'delete',
      code: 'alarms-tag',
      reason: `the service's tag ${TAGS.alarms} names the alarms its bakes watch (${optIn.alarms.join(', ')}), so the guard's default alarm is not needed`,
    };
  }
  if (optIn.ownAlarm !== alarm) {
    return {
      action: 'delete',
      code: 'not-the-default',
      reason: `the service's default alarm is ${optIn.ownAlarm}, not this one`,
    };
  }
  return { action: 'keep', reason: `${alarm} watches the bakes of ${o.live.name}` };
}

/** What one service's tag change or deletion observed of its alarms. */
export interface ObservedServiceAlarms extends ObservedService {
  service: ServiceRef;
  /** The guard's own alarms of the service that exist (checked by their owner tag). */
  owned: AlarmView[];
}

/** What to do about one service's alarms. */
export interface ServiceAlarmsPlan {
  /** The default alarm to create: the opt-in was added and it does not exist yet. */
  create?: string;
  retire: Array<{ alarm: string; code: RetireCode; reason: string }>;
  reason: string;
}

/**
 * Plans one service's alarms after its tags changed or it was deleted. Pure. Each of the guard's
 * alarms that exists is kept or retired ({@link planOwnAlarm}); a live service opted in with the
 * default alarm, which does not exist, gets it now rather than at its next deployment.
 */
export function planServiceAlarms(o: ObservedServiceAlarms, alarmPrefix: string): ServiceAlarmsPlan {
  const retire = o.owned.flatMap((a) => {
    const plan = planOwnAlarm(a.name, o, alarmPrefix);
    return plan.action === 'delete' ? [{ alarm: a.name, code: plan.code, reason: plan.reason }] : [];
  });
  const optIn = o.live && !gone(o) ? readBakeOptIn(o.tags, o.live, alarmPrefix) : undefined;
  const wanted = optIn?.kind === 'on' ? optIn.ownAlarm : undefined;
  const create = wanted && !o.owned.some((a) => a.name === wanted) ? wanted : undefined;
  const reason =
    retire.length > 0
      ? retire.map((r) => `${r.alarm}: ${r.reason}`).join('; ')
      : create
        ? `the service is opted into a bake window with the guard's default alarm, which does not exist yet`
        : o.owned.length > 0
          ? `the guard's alarm ${o.owned.map((a) => a.name).join(', ')} still serves the service's bake window`
          : `the guard owns no alarm of this service and its tags ask for none`;
  return { ...(create ? { create } : {}), retire, reason };
}

/** The names the guard's default alarm of a service has had: the current rule and the bake's record. */
export function ownAlarmCandidates(
  service: Pick<ServiceRef, 'name' | 'id'>,
  bake: BakeRecord | undefined,
  alarmPrefix: string,
): string[] {
  const names = [defaultAlarmName(alarmPrefix, service)];
  if (bake?.ownAlarm && !names.includes(bake.ownAlarm)) names.push(bake.ownAlarm);
  return names;
}

/**
 * The named alarms that exist and carry the guard's owner tag: a user's alarm, even named under the
 * guard's prefix, is never the guard's to delete.
 */
export async function ownedAlarms(alarms: AlarmsPort, names: readonly string[]): Promise<AlarmView[]> {
  const found = names.length > 0 ? await alarms.describeAlarms(names) : [];
  const owned: AlarmView[] = [];
  for (const a of found) {
    if (await isOwned(alarms, a)) owned.push(a);
  }
  return owned;
}

/** True when the alarm carries the guard's owner tag. */
async function isOwned(alarms: AlarmsPort, alarm: AlarmView): Promise<boolean> {
  const tags = await alarms.listAlarmTags(alarm.arn);
  return tags[TAGS.owner] === OWNER_VALUE;
}

/** What became of the bake record when an alarm was retired. */
export type BakeRecordFate = 'removed' | 'kept-until-bake-ends' | 'none';

/**
 * Retires one of the guard's alarms (idempotent): deletes it, then ends the service's bake record
 * unless a bake is still running on a live service (its promotion wake-up still comes, and the
 * deleted alarm reads as not in ALARM then). In dry-run nothing changes. Returns the bake record's
 * fate (what would be, in dry-run).
 */
async function retireOwnAlarm(
  serviceArn: string,
  alarm: string,
  code: RetireCode,
  ports: { alarms: AlarmsPort; bakes: BakeLedger },
  dryRun: boolean,
): Promise<BakeRecordFate> {
  const bake = await ports.bakes.getBake(serviceArn);
  const fate: BakeRecordFate = !bake
    ? 'none'
    : code !== 'service-deleted' && bake.status === 'baking'
      ? 'kept-until-bake-ends'
      : 'removed';
  if (dryRun) return fate;
  await ports.alarms.deleteAlarms([alarm]);
  if (fate === 'removed') await ports.bakes.removeBake(serviceArn);
  return fate;
}

/** One `Bake Alarm Retired` event (info): which alarm, where, why, and what became of the bake. */
function retiredEvent(input: {
  service: ServiceRef;
  alarm: string;
  code: RetireCode;
  why: string;
  fate: BakeRecordFate;
  trigger: string;
  dryRun: boolean;
  /** How the guard found out: a tag change, the deletion, or the backstop pass. */
  foundBy: 'tag-change' | 'service-deleted' | 'backstop';
}): GuardEventEntry {
  const { service, alarm, fate, dryRun } = input;
  const bakeNote =
    fate === 'kept-until-bake-ends'
      ? ' The running bake ends as planned; its candidate is promoted at its end unless another alarm is in ALARM.'
      : fate === 'removed'
        ? ' The bake record was removed.'
        : '';
  const found =
    input.foundBy === 'backstop'
      ? ' Found by the hourly pass over the guard’s alarms.'
      : input.foundBy === 'tag-change'
        ? ' Found on the service’s tag change.'
        : '';
  const reason = dryRun
    ? `Dry run: would delete the guard's default alarm ${alarm} of ${service.name} (account ${service.account}, ${service.region}): ${input.why}. Nothing was deleted.${found}`
    : `Deleted the guard's default alarm ${alarm} of ${service.name} (account ${service.account}, ${service.region}): ${input.why}.${bakeNote}${found} Nothing is left to do.`;
  return buildGuardEvent(GUARD_DETAIL_TYPES.bakeAlarmRetired, {
    job: 'record-release',
    outcome: 'acted',
    action: 'delete-alarm',
    reason,
    service,
    trigger: input.trigger,
    dryRun,
    details: {
      code: input.code,
      alarmName: alarm,
      account: service.account,
      region: service.region,
      bakeRecord: fate,
      foundBy: input.foundBy,
    },
  });
}

/**
 * Retires one of the guard's alarms ({@link retireOwnAlarm}) and returns its `Bake Alarm Retired`
 * event: what the tag change, the deletion and the backstop pass each do for an alarm that goes.
 */
export async function retireWithEvent(
  service: ServiceRef,
  retire: { alarm: string; code: RetireCode; reason: string },
  ports: { alarms: AlarmsPort; bakes: BakeLedger },
  context: { trigger: string; dryRun: boolean; foundBy: 'tag-change' | 'service-deleted' | 'backstop' },
): Promise<GuardEventEntry> {
  const fate = await retireOwnAlarm(service.arn, retire.alarm, retire.code, ports, context.dryRun);
  return retiredEvent({
    service,
    alarm: retire.alarm,
    code: retire.code,
    why: retire.reason,
    fate,
    ...context,
  });
}
