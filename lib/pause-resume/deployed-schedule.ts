/**
 * A schedule's definition as deployed: read back from its pause schedule in the stack's group of
 * recurring schedules, whose input carries the whole definition (infra/schedules.cjs). For jobs that
 * are not invoked by the schedule yet must know what it wants (Slack's *Keep running until…*): the
 * deployed schedule, not a copy of the file, is what will fire.
 */
import type { SchedulerPort } from '../core/ports/scheduler.ts';
import * as z from '../zod.ts';
import { type ScheduleDefinition, schedulerJobName } from './schedule-config.ts';
import { scheduleSpecSchema } from './schedule-spec.ts';

// The deployed input holds Scheduler's placeholders where a delivered payload has times: only the
// schedule's name and definition are read.
const deployedInput = z.object({ schedule: z.string(), definition: scheduleSpecSchema });

/**
 * The deployed definition of `schedule`, or `undefined` when the stack has no such schedule (not
 * in infra/schedules.yml, or disabled) or its input is not a pause-resume payload.
 */
export async function readDeployedSchedule(
  schedules: Pick<SchedulerPort, 'get'>,
  schedule: string,
): Promise<ScheduleDefinition | undefined> {
  const view = await schedules.get(schedulerJobName(schedule, 'pause'));
  if (!view?.input) return undefined;
  let input: unknown;
  try {
    input = JSON.parse(view.input);
  } catch {
    return undefined;
  }
  const payload = deployedInput.safeParse(input);
  if (!payload.success || payload.data.schedule !== schedule) return undefined;
  return { name: schedule, enabled: true, ...payload.data.definition };
}
