/**
 * The heads-up run (docs/architecture.md, "Heads-up"): observe the services that follow the
 * schedule, plan with {@link planHeadsUp} (the pause-resume planner at the pause time), and
 * publish one `Pause Heads-up` listing them, whose Slack message carries *Keep running until…* per
 * service. Changes nothing in App Runner.
 */

import { mapWithConcurrency } from '../core/concurrency.ts';
import { isNotFound } from '../core/errors.ts';
import { buildGuardEvent, GUARD_DETAIL_TYPES, type GuardEventPublisher } from '../core/guard-event.ts';
import type { JobResult } from '../core/handler-stack.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import { withBackoff } from '../pause-resume/fleet.ts';
import { followsSchedule, type ObservedService } from '../pause-resume/plan.ts';
import type { Tags } from '../tags.ts';
import type { HeadsUpPayload } from './payload.ts';
import { planHeadsUp } from './plan.ts';

/** Services a heads-up event lists by name and ARN (the rest are counted). */
const MAX_LISTED = 40;

/** Runs one heads-up: at most one `Pause Heads-up` per pause fire of the schedule. */
export async function runHeadsUp(
  payload: HeadsUpPayload,
  ports: { appRunner: AppRunnerPort; publisher: GuardEventPublisher },
  settings: { dryRun: boolean; maxConcurrency: number; sleep: (ms: number) => Promise<void> },
): Promise<JobResult> {
  const at = new Date(payload.scheduledTime);
  // Only running services can be paused: their tags are the only ones worth reading.
  const running: Array<{ arn: string; name: string; status: string }> = [];
  for await (const s of ports.appRunner.listServices()) {
    if (s.status === 'RUNNING') running.push({ arn: s.arn, name: s.name, status: s.status });
  }
  const backoff = { attempts: 8, baseMs: 250, sleep: settings.sleep };
  const tagged = await mapWithConcurrency(running, settings.maxConcurrency, async (s) => {
    try {
      return { ...s, tags: (await withBackoff(() => ports.appRunner.listTags(s.arn), backoff)) as Tags };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  const services = tagged.filter(
    (s): s is ObservedService => s !== undefined && followsSchedule(s.tags, payload.schedule),
  );
  const plan = planHeadsUp(payload.definition, payload.schedule, at, payload.leadMinutes, services);
  if (plan.action === 'none') return { outcome: 'noop', reason: `Nothing to do: ${plan.reason}.` };
  await ports.publisher.publish([
    buildGuardEvent(GUARD_DETAIL_TYPES.pauseHeadsUp, {
      job: 'pause-resume',
      outcome: 'acted',
      action: 'heads-up',
      reason: settings.dryRun ? `Dry run (the pause changes nothing): ${plan.reason}` : plan.reason,
      trigger: `${payload.schedule}@${payload.scheduledTime}`,
      dryRun: settings.dryRun,
      details: {
        pauseAt: plan.pauseAt.toISOString(),
        ...(plan.keepRunningUntil ? { keepRunningUntil: plan.keepRunningUntil.toISOString() } : {}),
        serviceCount: plan.services.length,
        services: plan.services.slice(0, MAX_LISTED),
      },
    }),
  ]);
  return {
    outcome: 'acted',
    reason: plan.reason,
    pauseAt: plan.pauseAt.toISOString(),
    services: plan.services.map((s) => s.name),
  };
}
