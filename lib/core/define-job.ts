/**
 * One skeleton for every job (docs/architecture.md, "Jobs"): a job is parse → observe → plan →
 * act, defined once with {@link defineJob}; the shared handler stack runs it. A function file only
 * builds the dependencies once per container and calls `createHandler(deps)`, so tests build
 * handlers with fakes instead of rewriting `process.env`.
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { QUEUE_JOBS, type QueueJob } from './delivery-policy.ts';
import type { InvalidEventError } from './errors.ts';
import type { Job } from './guard-event.ts';
import { type HandlerResult, type Parsed, type RunContext, withGuard } from './handler-stack.ts';
import type { JobResult } from './outcomes.ts';
import type { WakeUps } from './ports/wake-ups.ts';
import { deliverFromQueue, type VisibilityPort } from './queue-delivery.ts';

/** What the handler stack itself needs, besides the job's own ports. */
export interface StackDeps {
  logger: Logger;
  /** Powertools persistence; `false` only where the job is idempotent by construction. */
  idempotency: BasePersistenceLayer | false;
  /**
   * Makes a rejection visible (metric, alert): called once per rejected event, after it is
   * logged (`createRejectionHandler` in `lib/rejections.ts`).
   */
  onReject(error: InvalidEventError, raw: unknown): Promise<void>;
  /**
   * Wakes a Scheduler-invoked job again when it asks to retry after a delay or at a time
   * (docs/architecture.md, "Time"). Jobs only ever invoked through their queue need none.
   */
  wakeUps?: WakeUps;
  /**
   * Readies what parsing needs, before each event: the targets an organisational unit stands for
   * (`prepareTargets` in `lib/aws/organizations.ts`). A terminal error (already reported by it)
   * makes the event's result `failed`; any other is thrown, so the event is retried.
   */
  prepare?: () => Promise<void>;
}

/** A job as one `run` (it observes, plans and acts inside, through its ports). */
interface RunSteps<I, D> {
  run(input: I, deps: D, ctx: RunContext): Promise<JobResult>;
}

/** A job as its three reconcile steps; `plan` is pure and "nothing to do" is one of its answers. */
interface ReconcileSteps<I, D, O, P> {
  observe(input: I, deps: D, ctx: RunContext): Promise<O>;
  plan(observed: O, input: I, deps: D): P;
  act(plan: P, input: I, deps: D, ctx: RunContext): Promise<JobResult>;
}

/** What a job declares. */
export type JobSpec<I, D, O = unknown, P = unknown> = {
  job: Job;
  /** Validates the raw event; throws `InvalidEventError` (naming the field) for bad input. */
  parse(raw: unknown, deps: D): Parsed<I>;
  /** Alerts a human about a terminal failure (a guard event, or SNS for the notifier itself). */
  reportFailure(input: I, error: Error, deps: D, ctx: RunContext): Promise<void>;
  /** How long a completed key is remembered (default 24 hours: EventBridge retries that long). */
  idempotencyTtlSeconds?: number;
  /**
   * The longest a Scheduler-invoked payload keeps coming back ("retry after", "wake at") from its
   * first attempt before it is reported `failed` once (docs/architecture.md, "Time").
   */
  maxWaitSeconds?: number | ((deps: D) => number);
  /**
   * The function whose SQS queue feeds this job, when its name is not the job's (the
   * `slack-actions` job runs in `slack-actions-job`; the endpoint keeps the job's name).
   */
  queue?: QueueJob;
} & (RunSteps<I, D> | ReconcileSteps<I, D, O, P>);

/** The Lambda handler a job becomes. */
export type GuardHandler = (event: unknown, context: Context) => Promise<HandlerResult>;

/** A defined job: its spec, the one way to run it, and the handler factory. */
export interface DefinedJob<I, D> {
  job: Job;
  /** Runs the job's steps on a parsed input (what the handler stack calls). */
  run(input: I, deps: D, ctx: RunContext): Promise<JobResult>;
  /** Builds the Lambda handler with the shared stack around this job. */
  createHandler(deps: D & StackDeps): GuardHandler;
  /**
   * Builds the handler of a function that reads its events from its SQS queue: the same stack per
   * event, inside {@link deliverFromQueue} (retry after a delay, bounded by the job's maximum wait,
   * then reported once with the job's own failure report). Direct invocations pass through.
   */
  createQueueHandler(deps: D & StackDeps, visibility: VisibilityPort): QueueHandler;
}

/** The Lambda handler of a queue-fed function (an SQS batch response, or a direct invocation's result). */
export type QueueHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Defines a job. The shared stack (Powertools Logger context, parse → counted rejection,
 * idempotency, error classification, terminal failure reporting) is the same for every job;
 * a job supplies only what is its own.
 */
export function defineJob<I, D, O = unknown, P = unknown>(spec: JobSpec<I, D, O, P>): DefinedJob<I, D> {
  const run =
    'run' in spec
      ? (input: I, deps: D, ctx: RunContext) => spec.run(input, deps, ctx)
      : async (input: I, deps: D, ctx: RunContext) => {
          const observed = await spec.observe(input, deps, ctx);
          return spec.act(spec.plan(observed, input, deps), input, deps, ctx);
        };
  return {
    job: spec.job,
    run,
    createQueueHandler(deps, visibility) {
      const queue = spec.queue ?? spec.job;
      if (!(QUEUE_JOBS as readonly string[]).includes(queue)) {
        throw new Error(`${queue} does not read its events from a queue`);
      }
      return deliverFromQueue(this.createHandler(deps), {
        job: queue as QueueJob,
        visibility,
        logger: deps.logger,
        onReject: (error, raw) => deps.onReject(error, raw),
        onGiveUp: async (event, error) => {
          await deps.prepare?.();
          const { input } = spec.parse(event, deps);
          await spec.reportFailure(input, error, deps, { logger: deps.logger, remainingMs: () => 0 });
        },
      });
    },
    createHandler(deps) {
      const handler = withGuard<I>({
        job: spec.job,
        logger: deps.logger,
        parse: (raw) => spec.parse(raw, deps),
        onReject: (error, raw) => deps.onReject(error, raw),
        run: (input, ctx) => run(input, deps, ctx),
        reportFailure: (input, error, ctx) => spec.reportFailure(input, error, deps, ctx),
        persistenceStore: deps.idempotency,
        ...(deps.prepare ? { prepare: deps.prepare } : {}),
        ...(spec.idempotencyTtlSeconds ? { idempotencyTtlSeconds: spec.idempotencyTtlSeconds } : {}),
        ...(deps.wakeUps ? { wakeUps: deps.wakeUps } : {}),
        ...(spec.maxWaitSeconds
          ? {
              maxWaitSeconds:
                typeof spec.maxWaitSeconds === 'function' ? spec.maxWaitSeconds(deps) : spec.maxWaitSeconds,
            }
          : {}),
      });
      return (event, context) => handler(event, context);
    },
  };
}
