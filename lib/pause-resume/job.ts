import { createHash } from 'node:crypto';
import { defineJob } from '../core/define-job.ts';
import { MINUTE_SECONDS } from '../core/time.ts';
import {
  againOf,
  type PauseResumePayload,
  parseSchedulerPayload,
  pauseResumePayloadSchema,
} from '../events/scheduler.ts';
import { type HeadsUpPayload, headsUpPayloadSchema, isHeadsUpPayload } from '../heads-up/payload.ts';
import { runHeadsUp } from '../heads-up/run.ts';
import { createFailureReporter } from '../report-failure.ts';
import { type PauseResumePorts, type PauseResumeSettings, runSchedule } from './run-schedule.ts';

/** What the pause/resume job runs with (built once per container by its function file). */
export interface PauseResumeJobDeps {
  ports: PauseResumePorts;
  settings: PauseResumeSettings;
}

/** Pause/resume: a schedule fire → pause or resume the services that follow it (docs/architecture.md). */
export const pauseResumeJob = defineJob<PauseResumePayload | HeadsUpPayload, PauseResumeJobDeps>({
  job: 'pause-resume',
  // The configured follow-ups: `maxRetries` waits of `retryMinutes`.
  maxWaitSeconds: (deps) => deps.settings.maxRetries * deps.settings.retryMinutes * MINUTE_SECONDS,
  parse: (raw) => {
    if (isHeadsUpPayload(raw)) {
      // The heads-up before a pause (lib/heads-up): plan-only, one per schedule fire.
      const headsUp = parseSchedulerPayload(headsUpPayloadSchema, raw);
      return {
        key: `${headsUp.schedule}#heads-up#${headsUp.scheduledTime}`,
        input: headsUp,
        again: againOf(raw, headsUp),
        logKeys: { schedule: headsUp.schedule, action: headsUp.action, scheduledTime: headsUp.scheduledTime },
      };
    }
    const payload = parseSchedulerPayload(pauseResumePayloadSchema, raw);
    // Scheduler delivers at least once: schedule + action + scheduled time (+ follow-up attempt,
    // + the services a follow-up or an override's end names) identifies one run. Two overrides
    // ending at the same time are two wake-ups, each its own run.
    const scope = payload.services
      ? `#${createHash('sha256').update(payload.services.join(',')).digest('hex').slice(0, 16)}`
      : '';
    return {
      key: `${payload.schedule}#${payload.action}#${payload.scheduledTime}#${payload.attempt ?? 0}${scope}`,
      input: payload,
      again: againOf(raw, payload),
      logKeys: { schedule: payload.schedule, action: payload.action, scheduledTime: payload.scheduledTime },
    };
  },
  run: (payload, deps, ctx) =>
    payload.action === 'heads-up'
      ? runHeadsUp(payload, deps.ports, deps.settings)
      : runSchedule(payload, deps.ports, deps.settings, ctx),
  reportFailure: (payload, error, deps) =>
    createFailureReporter(
      deps.ports.publisher,
      'pause-resume',
      deps.settings.dryRun,
      (p: PauseResumePayload | HeadsUpPayload) => ({
        trigger: `${p.schedule}@${p.scheduledTime}`,
      }),
    )(payload, error),
});

/** Builds the pause/resume Lambda handler from its dependencies. */
export const createHandler = pauseResumeJob.createHandler;
