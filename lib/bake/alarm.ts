import { RetryAfterError } from '../core/errors.ts';
import { buildGuardEvent, GUARD_DETAIL_TYPES } from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import type { BakeLedger, BakeRecord } from '../core/ports/bake-ledger.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import type { AlarmStateChangeEvent } from '../events/cloudwatch.ts';
import type { RollbackTrigger } from '../rollback/plan.ts';
import {
  alarmDetails,
  type RollbackPorts,
  type RollbackSettings,
  rollbackService,
} from '../rollback/rollback.ts';

/** Ports the rollback job uses for alarm events: the rollback's, and the bake records. */
export interface AlarmRollbackPorts extends RollbackPorts {
  bakes: BakeLedger;
}

/** What an alarm's ALARM means for one bake it watches. */
export type AlarmCode =
  | 'rollback'
  | 'alarm-before-deployment'
  | 'already-rolled-back'
  | 'alarm-after-promotion';

const ms = (t: string) => Date.parse(t);
const short = (digest: string) => `${digest.slice(0, 19)}…`;

/**
 * Decides what an alarm going to ALARM means for one bake it watches. Pure. It entered ALARM
 * before the deployment started: not the deployment's fault (alert). The bake already rolled
 * back: the alarm fired again (alert). The bake is over (promoted, or past its window): alert
 * only. Otherwise, within the candidate's bake: roll back.
 */
export function planAlarm(bake: BakeRecord, event: Pick<AlarmStateChangeEvent, 'stateChangedAt'>): AlarmCode {
  const at = ms(event.stateChangedAt);
  if (at < ms(bake.deploymentStartedAt)) return 'alarm-before-deployment';
  if (bake.status === 'rolled-back') return 'already-rolled-back';
  if (bake.status === 'promoted' || at > ms(bake.bakeUntil)) return 'alarm-after-promotion';
  return 'rollback';
}

/** The rollback trigger of an alarm during a bake. */
export function alarmTrigger(
  bake: BakeRecord,
  event: AlarmStateChangeEvent,
): Extract<RollbackTrigger, { kind: 'alarm' }> {
  return {
    kind: 'alarm',
    id: event.eventId,
    time: event.stateChangedAt,
    alarmName: event.alarmName,
    alarmReason: event.reason,
    candidateDigest: bake.digest,
    bakeStartedAt: bake.deploymentStartedAt,
    bakeUntil: bake.bakeUntil,
    bakeMinutes: bake.bakeMinutes,
  };
}

function alertReason(
  code: Exclude<AlarmCode, 'rollback'>,
  bake: BakeRecord,
  event: AlarmStateChangeEvent,
  name: string,
) {
  const alarm = `Alarm ${event.alarmName} went to ALARM at ${event.stateChangedAt}`;
  const release = `${bake.imageIdentifier} (${short(bake.digest)})`;
  switch (code) {
    case 'alarm-before-deployment':
      return `${alarm}, before the deployment of ${release} started at ${bake.deploymentStartedAt}: the guard does not blame the deployment and does not roll back. A human should look at the alarm.`;
    case 'already-rolled-back':
      return `${alarm} again: the guard already rolled back the candidate ${release} (${bake.endedBy ?? 'an alarm'}, ${bake.endedAt ?? 'during its bake'}), and the service runs the previous known-good release. The alarm is not about the candidate: the guard does not roll back again. A human should look.`;
    case 'alarm-after-promotion':
      return `${alarm}, after the ${bake.bakeMinutes}-minute bake of ${release} ended (${bake.status === 'promoted' ? `promoted ${bake.endedAt ?? bake.bakeUntil}` : `window until ${bake.bakeUntil}`}): the guard rolls back on an alarm only during a bake. A human should look; \`guard rollback ${name}\` pins the previous known-good release.`;
  }
}

const rank: Record<string, number> = { acted: 4, failed: 3, deferred: 2, skipped: 1, noop: 0 };

/**
 * A CloudWatch alarm's state change (docs/architecture.md, "Bake window"): for every bake the alarm
 * watches, {@link planAlarm}; within a candidate's bake, the rollback job's own rollback (loop
 * guard, opt-out, dry-run as for a failed deployment) pins the previous known-good digest and
 * quarantines the candidate, and the bake is marked rolled back; otherwise `Rollback Skipped`
 * alerts with what the alarm said. Any other state, or an alarm no bake watches, is nothing to do.
 *
 * @throws RetryAfterError when a service is busy (an operation in progress), after the others.
 */
export async function handleAlarmEvent(
  event: AlarmStateChangeEvent,
  ports: AlarmRollbackPorts,
  settings: RollbackSettings,
): Promise<JobResult> {
  if (event.state !== 'ALARM') {
    return { outcome: 'noop', reason: `Alarm ${event.alarmName} is ${event.state}: nothing to do.` };
  }
  const bakes = await ports.bakes.listBakesByAlarm(event.account, event.region, event.alarmName);
  if (bakes.length === 0) {
    return { outcome: 'noop', reason: `No bake window watches alarm ${event.alarmName}: nothing to do.` };
  }
  const results: Array<{
    service: string;
    outcome: string;
    code: string;
    reason: string;
    details?: Record<string, unknown>;
  }> = [];
  let deferred: RetryAfterError | undefined;
  for (const bake of bakes) {
    const ref = parseServiceArn(bake.serviceArn);
    if (!ref) continue;
    const code = planAlarm(bake, event);
    if (code === 'rollback') {
      try {
        const {
          plan: _plan,
          published: _published,
          ...r
        } = await rollbackService(ref, alarmTrigger(bake, event), ports, settings);
        if (r.outcome === 'acted' && !settings.dryRun) {
          await ports.bakes.recordBake({
            ...bake,
            status: 'rolled-back',
            endedAt: event.stateChangedAt,
            endedBy: `alarm ${event.alarmName}`,
          });
        }
        results.push({ service: ref.name, outcome: r.outcome, code: r.code, reason: r.reason, details: r });
      } catch (error) {
        if (!(error instanceof RetryAfterError)) throw error;
        deferred = error;
      }
      continue;
    }
    const entry = buildGuardEvent(GUARD_DETAIL_TYPES.rollbackSkipped, {
      job: 'rollback',
      outcome: 'skipped',
      action: 'none',
      reason: alertReason(code, bake, event, ref.name),
      service: ref,
      trigger: event.eventId,
      dryRun: settings.dryRun,
      details: {
        attention: true,
        code,
        ...alarmDetails(alarmTrigger(bake, event)),
        bakeStatus: bake.status,
      },
    });
    await ports.publisher.publish([entry]);
    results.push({
      service: ref.name,
      outcome: 'skipped',
      code,
      reason: entry.detail.reason,
      details: entry.detail.details,
    });
  }
  if (deferred) throw deferred;
  const outcome = results.reduce((best, r) => (rank[r.outcome]! > rank[best]! ? r.outcome : best), 'noop');
  return {
    // One service (the usual case): its whole result, as for a failure event.
    ...(results.length === 1 ? results[0]!.details : {}),
    outcome: outcome as JobResult['outcome'],
    reason:
      results.length === 1
        ? results[0]!.reason
        : `Alarm ${event.alarmName} went to ALARM: ${results.map((r) => `${r.service} ${r.outcome} (${r.code})`).join('; ')}.`,
    services: results.map((r) => ({ name: r.service, outcome: r.outcome, code: r.code })),
  };
}
