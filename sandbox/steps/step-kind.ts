import type * as z from 'zod';
import type { EventBus } from '../bus.ts';
import type { SimClock } from '../clock.ts';
import type { CloudWatchTargets } from '../cloudwatch.ts';
import type { SandboxFleets } from '../fleets.ts';
import type { ImageRegistry } from '../images.ts';
import type { LambdaRuntime } from '../lambda.ts';
import type { SandboxOrganization } from '../organizations.ts';

/** One Slack interaction request a step sent to the slack-actions Function URL. */
export interface SlackActionRecord {
  time: string;
  action: string;
  service: string;
  user: string;
  signature: 'valid' | 'invalid' | 'stale';
  /** Slack's `action_ts`: the job's audit event names it. */
  actionTs: string;
  /** The HTTP status the endpoint answered. */
  status: number;
  /**
   * What came of it: the job's outcome (from its `Slack Action Taken` / `Failed` event),
   * `refused` (signed, not allowed), `rejected` (4xx) or `accepted` (handed over, no outcome yet).
   */
  outcome: string;
  reason: string;
}

/** What a step can act on while the scenario runs. */
export interface StepContext {
  /** App Runner in every target: services by address (`<account>/<region>/<name>`, or a hub name). */
  sim: SandboxFleets;
  registry: ImageRegistry;
  bus: EventBus;
  lambda: LambdaRuntime;
  clock: SimClock;
  cloudwatch: CloudWatchTargets;
  /** The Slack app's side: its signing secret, and the log of interaction requests sent. */
  slack: { signingSecret: string; actions: SlackActionRecord[] };
  /** The organisation the Organizations stand-in serves (a step may move an account). */
  organization: SandboxOrganization;
}

/** What a step kind may need while a scenario file is loaded. */
export interface LoadContext {
  /** The folder of the scenario file: relative paths in a step are resolved against it. */
  dir: string;
}

/**
 * One kind of scenario step (`push`, `deploy`, …), defined in one place: the key it is written
 * under in a scenario, the schema of its value, the timeline text, and what it does.
 */
export interface StepKind<Name extends string = string, Schema extends z.ZodType = z.ZodType> {
  /** The step's key in a scenario file (`- { at: +5m, push: {…} }`). */
  readonly name: Name;
  /** The schema of the step's value (validated with the rest of the scenario). */
  readonly schema: Schema;
  /** The timeline text of the step (`push payments:latest → payments-v2`), before it runs. */
  describe(args: z.output<Schema>, registry: ImageRegistry): string;
  /**
   * Performs the step at its time on the simulated clock. Returns extra text for the timeline
   * (appended after ` — `), if any. A thrown error (an `ApiError` of a stand-in, or any error) is
   * shown as the step being refused; it does not stop the scenario.
   */
  run(args: z.output<Schema>, ctx: StepContext): string | undefined | Promise<string | undefined>;
  /**
   * Optional: completes the value while the scenario file is loaded (an `event: { file }` step
   * reads its file). A thrown error's message is reported with the scenario's path.
   */
  load?(args: z.output<Schema>, ctx: LoadContext): z.output<Schema>;
}

/** Defines a step kind, keeping its name and schema types for the scenario's `Step` type. */
export function defineStep<const Name extends string, Schema extends z.ZodType>(
  kind: StepKind<Name, Schema>,
): StepKind<Name, Schema> {
  return kind;
}

/** The ARN of the live service a step names (by address). */
export function liveServiceArn(ctx: StepContext, name: string): string {
  const s = ctx.sim.byName(name);
  if (!s) throw new Error(`no live service named "${name}"`);
  return s.arn;
}
