import { parseServiceArn } from '../events/app-runner.ts';
import { nextFireTime } from '../schedule/cron.ts';
import { TAGS } from '../tags.ts';
import { type DesiredState, desiredStateAt, formatLocal, offDayReason } from './desired-state.ts';
import { followsSchedule, type ObservedService, planService, type ServiceDecision } from './plan.ts';
import type { ScheduleDefinition } from './schedule-config.ts';

/** The plan of one schedule at one instant: what it wants, when it fires next, each service's decision. */
export interface SchedulePlan {
  schedule: ScheduleDefinition;
  at: Date;
  desired: DesiredState;
  nextPause?: Date;
  nextResume?: Date;
  decisions: ServiceDecision[];
}

/** The plan of every (or one) schedule over a fleet, plus services tagged for a schedule that does not exist. */
export interface FleetPlan {
  plans: SchedulePlan[];
  unknownSchedules: Array<{ service: string; schedule: string }>;
  /** The places (`<account>/<region>`, or a region) whose live fleet was read; absent offline. */
  read?: string[];
  /** The places that could not be read, and why (their services are not in the plan). */
  unreadable?: Array<{ where: string; reason: string }>;
}

/**
 * Plans what each schedule would do to the fleet at `at` — the same desired-state evaluation and
 * per-service planner the handler runs (pure). Used by `guard schedule plan`.
 */
export function planSchedules(
  defs: readonly ScheduleDefinition[],
  fleet: readonly ObservedService[],
  at: Date,
  only?: string,
): FleetPlan {
  const selected = defs.filter((d) => only === undefined || d.name === only);
  const plans = selected.map((schedule) => {
    const desired = desiredStateAt(schedule, at);
    const nextPause = nextFireTime(schedule.pause, schedule.timezone, at);
    // The next resume that takes effect: one on a skip date or outside the weekdays does not.
    let nextResume = nextFireTime(schedule.resume, schedule.timezone, at);
    for (let i = 0; nextResume && offDayReason(schedule, nextResume) && i < 1000; i++) {
      nextResume = nextFireTime(schedule.resume, schedule.timezone, nextResume);
    }
    return {
      schedule,
      at,
      desired,
      ...(nextPause ? { nextPause } : {}),
      ...(nextResume ? { nextResume } : {}),
      decisions: fleet
        .filter((s) => followsSchedule(s.tags, schedule.name))
        .map((s) => planService(s, desired, { schedule: schedule.name, at })),
    };
  });
  const known = new Set(defs.map((d) => d.name));
  const unknownSchedules = fleet
    .filter((s) => s.tags[TAGS.schedule] !== undefined && !known.has(s.tags[TAGS.schedule]!.trim()))
    .map((s) => ({ service: s.name, schedule: s.tags[TAGS.schedule]! }));
  return { plans, unknownSchedules };
}

const ACTION_TEXT: Record<ServiceDecision['action'], string> = {
  pause: 'pause',
  resume: 'resume',
  'clear-marker': 'clear marker',
  retry: 'retry later',
  none: '-',
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd())
    .join('\n');
}

/** `<account>/<region>` of a service, from its ARN; `-` when it has none (an offline fleet file). */
function whereOf(arn: string): string {
  const ref = parseServiceArn(arn);
  return ref ? `${ref.account}/${ref.region}` : '-';
}

/**
 * Human-readable plan: the places read, then one block per schedule, one line per service (its
 * account and region) with the reason. (Places that could not be read are the caller's to say.)
 */
export function formatFleetPlan(plan: FleetPlan): string {
  const out: string[] = [];
  if (plan.read) out.push(`Read the services of ${plan.read.join(', ') || 'no place'}`, '');
  for (const p of plan.plans) {
    const tz = p.schedule.timezone;
    out.push(`Schedule ${p.schedule.name} (${tz}) at ${formatLocal(p.at, tz)} (${p.at.toISOString()})`);
    out.push(`  desired: ${p.desired.state} (${p.desired.reason})`);
    out.push(
      `  next pause: ${p.nextPause ? formatLocal(p.nextPause, tz) : 'never'} · next resume: ${p.nextResume ? formatLocal(p.nextResume, tz) : 'never'}`,
    );
    if (p.decisions.length === 0) {
      out.push(`  no service carries ${TAGS.schedule}=${p.schedule.name}`);
    } else {
      out.push(
        table([
          ['SERVICE', 'WHERE', 'STATUS', 'ACTION', 'OUTCOME', 'WHY'],
          ...p.decisions.map((d) => [
            d.name,
            whereOf(d.arn),
            d.status,
            ACTION_TEXT[d.action],
            d.outcome,
            d.reason,
          ]),
        ]),
      );
    }
    out.push('');
  }
  for (const u of plan.unknownSchedules) {
    out.push(
      `warning: ${u.service} is tagged ${TAGS.schedule}=${u.schedule}, which is not a configured schedule: nothing will pause or resume it`,
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
