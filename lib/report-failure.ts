import { describeError, errorNameOf } from './core/errors.ts';
import {
  buildGuardEvent,
  FAILURE_DETAIL_TYPE,
  type GuardEventPublisher,
  type Job,
} from './core/guard-event.ts';
import type { AppRunnerEvent, ServiceRef } from './events/app-runner.ts';

/** What a terminal failure is about: the service (when known) and what triggered the run. */
export interface FailureSubject {
  service?: ServiceRef;
  trigger: string;
}

/** Subject of a failure while handling an App Runner event. */
export function subjectOfEvent(event: AppRunnerEvent): FailureSubject {
  return { service: event.service, trigger: event.eventId };
}

/**
 * Builds the `reportFailure` of a job that answers to the notifier: a terminal failure becomes a
 * guard event with outcome `failed`, which the notifier turns into a critical alert.
 */
export function createFailureReporter<T>(
  publisher: GuardEventPublisher,
  job: Job,
  dryRun: boolean,
  subjectOf: (input: T) => FailureSubject,
) {
  return async (input: T, error: Error): Promise<void> => {
    const { service, trigger } = subjectOf(input);
    await publisher.publish([
      buildGuardEvent(FAILURE_DETAIL_TYPE[job], {
        job,
        outcome: 'failed',
        action: 'none',
        reason: `The guard could not finish: ${describeError(error)}. A human should look.`,
        service,
        trigger,
        dryRun,
        details: { error: errorNameOf(error) },
      }),
    ]);
  };
}

/**
 * Builds the report of a function that cannot tell which accounts it watches (the hub may not read
 * AWS Organizations for an organisational unit in `GUARD_TARGETS`): the job's failure guard event,
 * about no service, triggered by the setting. `prepareTargets` sends it once per container.
 */
export function createTargetsFailureReporter(publisher: GuardEventPublisher, job: Job, dryRun: boolean) {
  const report = createFailureReporter<undefined>(publisher, job, dryRun, () => ({
    trigger: 'GUARD_TARGETS',
  }));
  return (error: Error) => report(undefined, error);
}
