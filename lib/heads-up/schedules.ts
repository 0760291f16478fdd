import type { ScheduleDefinition } from '../pause-resume/schedule-config.ts';
import { SCHEDULED_TIME_PLACEHOLDER, specOf } from '../pause-resume/schedule-config.ts';
import type { HeadsUpPayload } from './payload.ts';
import { headsUpExpression } from './plan.ts';

/** One heads-up Scheduler schedule (invokes the pause-resume function with a heads-up payload). */
export interface HeadsUpJob {
  /** `<schedule>-notice` (Scheduler names are at most 64 characters; schedule names 58). */
  name: string;
  expression: string;
  timezone: string;
  input: Omit<HeadsUpPayload, 'scheduleArn' | 'firstAttemptAt'>;
  description: string;
}

/**
 * The heads-up schedules of the enabled definitions, `leadMinutes` before each pause (0: none).
 * Deployed beside the pause/resume schedules (`infra/schedules.cjs`) and fired by the sandbox.
 */
export function toHeadsUpJobs(defs: readonly ScheduleDefinition[], leadMinutes: number): HeadsUpJob[] {
  if (leadMinutes <= 0) return [];
  return defs
    .filter((d) => d.enabled)
    .map((def) => ({
      name: `${def.name}-notice`,
      expression: headsUpExpression(def.pause, leadMinutes),
      timezone: def.timezone,
      input: {
        action: 'heads-up' as const,
        schedule: def.name,
        scheduledTime: SCHEDULED_TIME_PLACEHOLDER,
        leadMinutes,
        definition: specOf(def),
      },
      description: `apprunner-guard: heads-up ${leadMinutes} minutes before ${def.name} pauses its services`,
    }));
}
