import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { GuardConfig } from '../config.ts';
import type { Job } from '../core/guard-event.ts';
import type { SchedulerPort } from '../core/ports/scheduler.ts';
import { clampWakeTime, type WakeUps, wakeUpName } from '../core/ports/wake-ups.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { OneTimeSchedule, SchedulerPort, ScheduleView } from '../core/ports/scheduler.ts';
export type { WakeUp, WakeUpRequest, WakeUps } from '../core/ports/wake-ups.ts';

/** Creates the Scheduler client once per container. */
export function createSchedulerClient(): SchedulerClient {
  return new SchedulerClient(clientConfig());
}

/** Formats an `at()` expression: Scheduler takes `yyyy-mm-ddThh:mm:ss` without zone, in the given zone. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

const SCHEDULE_NAME = /^[0-9A-Za-z_.-]{1,64}$/;

/** The Scheduler adapter: one-time schedules in `group`, invoking targets with `roleArn`. */
export function createSchedulerGateway(
  client: SchedulerClient,
  options: { group: string; roleArn: string },
): SchedulerPort {
  return translatePortErrors({
    async createOneTime(s) {
      if (!SCHEDULE_NAME.test(s.name)) throw new Error(`invalid schedule name "${s.name}"`);
      try {
        await client.send(
          new CreateScheduleCommand({
            Name: s.name,
            GroupName: options.group,
            ScheduleExpression: atExpression(s.at),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            ...(s.description ? { Description: s.description.slice(0, 512) } : {}),
            Target: {
              Arn: s.targetArn,
              RoleArn: options.roleArn,
              Input: JSON.stringify(s.input),
              RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
            },
          }),
        );
        return { created: true };
      } catch (error) {
        if ((error as Error).name === 'ConflictException') return { created: false };
        throw error;
      }
    },
    async get(name) {
      try {
        const out = await client.send(new GetScheduleCommand({ Name: name, GroupName: options.group }));
        return {
          name,
          expression: out.ScheduleExpression ?? '',
          ...(out.Target?.Input ? { input: out.Target.Input } : {}),
          ...(out.State ? { state: out.State } : {}),
        };
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async *list() {
      for await (const page of paginateListSchedules({ client }, { GroupName: options.group })) {
        for (const s of page.Schedules ?? []) {
          if (s.Name) yield { name: s.Name, ...(s.State ? { state: s.State } : {}) };
        }
      }
    },
    async delete(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: options.group }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    },
  });
}

/**
 * The guard's scheduler: one-time schedules in its own group, invoking targets with its Scheduler
 * role (`config.scheduler`). Call once per container.
 */
export function createGuardScheduler(config: {
  scheduler: { group: string; roleArn: string };
}): SchedulerPort {
  return createSchedulerGateway(createSchedulerClient(), {
    group: config.scheduler.group,
    roleArn: config.scheduler.roleArn,
  });
}

/** What the wake-up adapter needs besides the schedule port. */
export interface WakeUpOptions {
  /** The function each job runs in; a job without one cannot be woken (a wiring bug, thrown). */
  targets: Partial<Record<Job, string>>;
  /** Says when a requested time was moved to a minute ahead (a Powertools Logger fits). */
  logger?: { warn(message: string, extra: Record<string, unknown>): void };
  /**
   * The adapter's clock, epoch milliseconds; default the system clock. The sandbox, whose
   * simulated time only its triggers know, passes `() => 0` so the request's `now` decides.
   */
  now?: () => number;
}

/**
 * The "wake me at a time" port (docs/architecture.md, "Time") on one-time schedules: the time is
 * clamped to at least a minute ahead (logged), the name is {@link wakeUpName} of job + key, and a
 * schedule that already exists under that name is a duplicate request, left as it is.
 */
export function createWakeUps(
  scheduler: Pick<SchedulerPort, 'createOneTime'>,
  options: WakeUpOptions,
): WakeUps {
  const now = options.now ?? Date.now;
  return {
    async wakeAt(request) {
      const targetArn = options.targets[request.job];
      if (!targetArn) throw new Error(`no function configured to wake the ${request.job} job`);
      const name = wakeUpName(request.job, request.key);
      const base = Math.max(now(), request.now?.getTime() ?? 0);
      const { at, clamped } = clampWakeTime(request.at, new Date(base));
      if (clamped) {
        options.logger?.warn(
          'wake-up moved to a minute from now: the requested time has passed or is too close',
          {
            schedule: name,
            requestedAt: request.at.toISOString(),
            at: at.toISOString(),
          },
        );
      }
      const { created } = await scheduler.createOneTime({
        name,
        at,
        targetArn,
        input: request.payload,
        ...(request.description ? { description: request.description } : {}),
      });
      return { name, at, created, clamped };
    },
  };
}

/**
 * The guard's wake-ups, on its scheduler (`config.scheduler`): each Scheduler-invoked job's own
 * function is its target. Call once per container.
 */
export function createGuardWakeUps(
  config: Pick<GuardConfig, 'scheduler'>,
  options: Pick<WakeUpOptions, 'logger'> = {},
): WakeUps {
  const s = config.scheduler;
  return createWakeUps(createGuardScheduler(config), {
    targets: {
      cleanup: s.cleanupFunctionArn,
      'pause-resume': s.pauseResumeFunctionArn,
      notify: s.notifyFunctionArn,
      'record-release': s.recordReleaseFunctionArn,
    },
    ...(s.clock === 'trigger' ? { now: () => 0 } : {}),
    ...options,
  });
}
