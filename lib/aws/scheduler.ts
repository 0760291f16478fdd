import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  paginateListSchedules,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { SchedulerPort } from '../core/ports/scheduler.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { OneTimeSchedule, SchedulerPort, ScheduleView } from '../core/ports/scheduler.ts';

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
