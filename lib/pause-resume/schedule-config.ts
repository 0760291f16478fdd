import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { MAX_INPUT_CHARS, SCHEDULE_NAME, type ScheduleSpec, scheduleSpecSchema } from './schedule-spec.ts';

export { MAX_INPUT_CHARS };

/** One pause/resume schedule as configured in `infra/schedules.yml`. */
export interface ScheduleDefinition extends ScheduleSpec {
  name: string;
  description?: string;
  /** `false` keeps the definition but creates no Scheduler schedules for it. */
  enabled: boolean;
}

/** The schedule file is wrong; the message names the schedule and the field. */
export class ScheduleConfigError extends Error {
  override readonly name = 'ScheduleConfigError';
}

/** The placeholder Scheduler replaces with the time the run was scheduled for. */
export const SCHEDULED_TIME_PLACEHOLDER = '<aws.scheduler.scheduled-time>';

const definitionSchema = z.strictObject({
  ...scheduleSpecSchema.shape,
  description: z.string().max(400).optional(),
  enabled: z.boolean().default(true),
});

const fileSchema = z
  .object({
    schedules: z.record(z.string(), z.unknown()).nullable().default({}),
  })
  .strict();

function issueText(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return path ? `${path}: ${message}` : message;
}

/**
 * Validates parsed schedule configuration (`{ schedules: { <name>: { timezone, pause, resume,
 * skipDates?, weekdays?, description?, enabled? } } }`), reporting every problem at once.
 *
 * @throws ScheduleConfigError naming each schedule and field that is wrong.
 */
export function parseScheduleDefinitions(
  raw: unknown,
  source = 'schedule configuration',
): ScheduleDefinition[] {
  const file = fileSchema.safeParse(raw ?? {});
  if (!file.success) {
    throw new ScheduleConfigError(`${source}: ${file.error.issues.map(issueText).join('; ')}`);
  }
  const problems: string[] = [];
  const out: ScheduleDefinition[] = [];
  for (const [name, body] of Object.entries(file.data.schedules ?? {})) {
    if (!SCHEDULE_NAME.test(name)) {
      problems.push(`schedule "${name}": name must be 1-57 characters of A-Z a-z 0-9 _ . -`);
      continue;
    }
    const r = definitionSchema.safeParse(body);
    if (!r.success) {
      for (const issue of r.error.issues) problems.push(`schedule "${name}": ${issueText(issue)}`);
      continue;
    }
    if (r.data.pause.replace(/\s+/g, ' ') === r.data.resume.replace(/\s+/g, ' ')) {
      problems.push(`schedule "${name}": pause and resume are the same expression`);
      continue;
    }
    out.push({ name, ...r.data });
  }
  if (problems.length > 0) throw new ScheduleConfigError(`${source} is invalid: ${problems.join('; ')}`);
  for (const def of out) inputsOf(def); // size check, same errors at load as at package time
  return out;
}

/**
 * Reads and validates a schedule file (YAML or JSON).
 *
 * @throws ScheduleConfigError when the file is missing, unreadable or invalid.
 */
export function loadScheduleConfig(path: string): ScheduleDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScheduleConfigError(`cannot read schedule file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ScheduleConfigError(`schedule file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parseScheduleDefinitions(raw, path);
}

/** The definition part of a payload: what the handler needs to evaluate the schedule. */
export function specOf(def: ScheduleDefinition | ScheduleSpec): ScheduleSpec {
  return {
    timezone: def.timezone,
    pause: def.pause,
    resume: def.resume,
    skipDates: [...def.skipDates],
    ...(def.weekdays ? { weekdays: [...def.weekdays] } : {}),
  };
}

function inputsOf(def: ScheduleDefinition) {
  const inputs = (['pause', 'resume'] as const).map((action) => ({
    action,
    input: {
      action,
      schedule: def.name,
      scheduledTime: SCHEDULED_TIME_PLACEHOLDER,
      definition: specOf(def),
    },
  }));
  for (const { action, input } of inputs) {
    const size = JSON.stringify(input).length;
    if (size > MAX_INPUT_CHARS) {
      throw new ScheduleConfigError(
        `schedule "${def.name}": the ${action} payload is ${size} characters, over Scheduler's ${MAX_INPUT_CHARS}; shorten skipDates`,
      );
    }
  }
  return inputs;
}

/**
 * The name of a schedule's deployed Scheduler schedule for `action` (in the stack's group of
 * recurring schedules, `SCHEDULES_GROUP`): what the deployment creates and what a job reads back
 * to learn a schedule's definition.
 */
export function schedulerJobName(schedule: string, action: 'pause' | 'resume'): string {
  return `${schedule}-${action}`;
}

/** One EventBridge Scheduler schedule invoking the pause-resume function. */
export interface SchedulerJob {
  /** `<schedule>-pause` / `<schedule>-resume`. */
  name: string;
  expression: string;
  timezone: string;
  /** The target input; `scheduledTime` is Scheduler's placeholder, substituted when it fires. */
  input: {
    action: 'pause' | 'resume';
    schedule: string;
    scheduledTime: string;
    definition: ScheduleSpec;
  };
  description: string;
}

/**
 * The Scheduler schedules for the enabled definitions: a pause and a resume schedule each. The
 * same list becomes the `pause-resume` function's `schedule` events in serverless.yml
 * (`infra/schedules.cjs`) and is fired by the sandbox on its simulated clock.
 *
 * @throws ScheduleConfigError when a payload would exceed Scheduler's input limit.
 */
export function toSchedulerJobs(defs: readonly ScheduleDefinition[]): SchedulerJob[] {
  return defs
    .filter((d) => d.enabled)
    .flatMap((def) =>
      inputsOf(def).map(({ action, input }) => ({
        name: schedulerJobName(def.name, action),
        expression: action === 'pause' ? def.pause : def.resume,
        timezone: def.timezone,
        input,
        description:
          `apprunner-guard: ${action} services tagged apprunner-guard:schedule=${def.name}${def.description ? ` (${def.description})` : ''}`.slice(
            0,
            512,
          ),
      })),
    );
}
