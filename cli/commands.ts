/**
 * Every `guard` command: its declaration (positionals, options, help text) and where its code is.
 *
 * To add a command, add one entry to {@link COMMANDS}: a `defineCommand({...})` declaration and a
 * `load` that imports the module implementing it. That module exports a
 * `CommandRun<typeof SPEC.options>`: it gets the parsed `{ values, positionals }` and an `Io`, reads
 * settings with `loadCliConfig` (lib/config.ts), throws `UsageError` for a bad value (exit 2 with
 * the usage) and returns its exit code. `--help`, `guard help <command>`, the usage errors and the
 * top-level command list come from the declaration (cli/args.ts, cli/guard.ts). A name with a space
 * (`schedule plan`) makes a subcommand; add its group's line to {@link GROUPS}, unless the first
 * word is a command of its own too (`dlq` and `dlq redrive`: the longest matching name runs).
 *
 * Modules load only when their command runs, so `guard --help` stays fast.
 *
 * @module
 */

import { type CommandRun, type CommandSpec, defineCommand, type OptionSpecs } from './args.ts';
import { ACCOUNT_NOTES, ACCOUNT_OPTION } from './where.ts';

const ANY = Number.POSITIVE_INFINITY;

/** A command: its declaration and a loader for its implementation. */
export interface CommandEntry<O extends OptionSpecs = OptionSpecs> {
  readonly spec: CommandSpec<O>;
  readonly load: () => Promise<CommandRun<O>>;
}

function command<const O extends OptionSpecs>(
  spec: CommandSpec<O>,
  load: () => Promise<CommandRun<O>>,
): CommandEntry {
  return { spec: defineCommand(spec), load } as unknown as CommandEntry;
}

const SERVICE_ENV = `Environment: AWS credentials and region as for the AWS CLI (AWS_REGION or AWS_DEFAULT_REGION
is required); AWS_ENDPOINT_URL_* point the clients at the sandbox.`;

export const ROUTE = defineCommand({
  name: 'route',
  args: "<event.json|dir|'glob'>...",
  positionals: { min: 1, max: ANY },
  summary: 'which functions each event triggers (one JSON line per file)',
  description: `Routes each event file through the deployed EventBridge patterns (serverless.yml and
infra/patterns) and prints, per file, one JSON line: {"file","functions":[…]} (and "error" when the
file is not JSON). A directory stands for the .json files under it; quote globs ('events/**/*.json').`,
  options: {},
  notes: 'Exit status: 0 every file routed, 1 a file could not be read, 2 usage.',
});

export const ROLLBACK = defineCommand({
  name: 'rollback',
  args: '<service-name|arn>',
  positionals: { min: 1, max: 1 },
  summary: 'pin a service to a known-good image digest',
  description: `Pins an App Runner service to a known-good image digest from the guard's release ledger, with the
same planner and safety checks as the automatic rollback. Without --to: the newest known-good
release other than the one configured now (and not quarantined); a candidate still baking (bake
window) is never chosen. The digest rolled back from is quarantined. Always pins repo@sha256:…,
never a tag. The loop guard does not apply to a human.`,
  options: {
    to: {
      type: 'string',
      value: '<sha256:…>',
      help: 'a known-good, non-quarantined release from the ledger',
    },
    force: {
      type: 'boolean',
      help: 'allow a --to digest that is quarantined, a candidate still baking, or not in the ledger',
    },
    'dry-run': { type: 'boolean', help: 'print the plan and publish it with dryRun: true; change nothing' },
    region: { type: 'string', value: '<region>', help: "the service's region (sets AWS_REGION)" },
    account: ACCOUNT_OPTION,
  },
  notes: `Environment: LEDGER_TABLE (the deployed stack's ledger table) and EVENT_BUS_NAME (the bus it
publishes to, "default" as deployed) are required; USER (or USERNAME) names you in the ledger.
${SERVICE_ENV}
${ACCOUNT_NOTES}
Exit status: 0 rolled back or nothing to do, 1 refused, skipped or failed, 2 usage or configuration.`,
});

export const SCHEDULE_PLAN = defineCommand({
  name: 'schedule plan',
  summary: 'what each pause/resume schedule would do, and why',
  description: `Prints what each pause/resume schedule would do to every service tagged for it at --at (default:
now), and why, naming each service's account and region. Services are read live, in every target of
GUARD_TARGETS (the hub and the spokes, as the deployed stack watches them) or in the one place
--account and --region name; --fleet plans offline instead, from a JSON file of services:
[{"name","arn"?,"status","tags":{…}}].`,
  options: {
    at: {
      type: 'string',
      value: '<ISO time>',
      help: 'plan for this time instead of now, e.g. 2026-11-20T19:00:00Z',
    },
    schedule: { type: 'string', value: '<name>', help: 'only this schedule' },
    config: {
      type: 'string',
      value: '<schedules.yml>',
      help: 'schedule definitions (without it: infra/schedules.yml of this repository)',
    },
    fleet: {
      type: 'string',
      value: '<fleet.json>',
      help: 'plan offline for these services instead of the live fleet',
    },
    region: { type: 'string', value: '<region>', help: 'plan only this region (sets AWS_REGION)' },
    account: {
      type: 'string',
      value: '<account id>',
      help: 'plan only this spoke account, read through the spoke role <GUARD_STACK_NAME>-spoke-<region>',
    },
    json: { type: 'boolean', help: 'print the plan as JSON' },
  },
  notes: `${SERVICE_ENV} (Not needed with --fleet.)
Without --account and --region, with GUARD_TARGETS set (\`<account or OU>:<regions>;…\`, as the stack's
guardTargets param): every target is planned; GUARD_ACCOUNT_ID names the hub (read with your own
credentials in AWS_REGION), an OU is read through AWS Organizations, and the spokes through their roles.
${ACCOUNT_NOTES}
Exit status: 0 planned, 1 failed (or a target could not be read: the others are planned), 2 usage or
configuration.`,
});

const manual = (action: 'pause' | 'resume') =>
  defineCommand({
    name: action,
    args: '<service-name|arn>',
    positionals: { min: 1, max: 1 },
    summary: `${action} a service by hand, with the schedules' safety checks`,
    description:
      action === 'pause'
        ? `Pauses a RUNNING service now. Refused while an operation is in progress. A manual pause writes no
"paused-by" marker, so no schedule resumes it.`
        : `Resumes a PAUSED service now. Refused while an operation is in progress. Resuming a service the guard
did not pause is allowed but warns; if its schedule wants it paused, the next pause undoes the
resume unless --until sets apprunner-guard:override-until first. With --until (also on a service
already running, resumed by hand) the guard is woken at the override's end when the schedule wants
the service paused then, and pauses it within minutes (a one-time schedule of the deployed stack).`,
    options: {
      'dry-run': { type: 'boolean', help: 'print the calls it would make; change nothing' },
      ...(action === 'resume'
        ? {
            until: {
              type: 'string',
              value: '<ISO time>',
              help: 'keep the schedule away from the service until then (override-until)',
            },
          }
        : {}),
      config: {
        type: 'string',
        value: '<schedules.yml>',
        help: 'schedule definitions (without it: infra/schedules.yml of this repository)',
      },
      region: { type: 'string', value: '<region>', help: "the service's region (sets AWS_REGION)" },
      account: ACCOUNT_OPTION,
    },
    notes: `${SERVICE_ENV}
${ACCOUNT_NOTES}${
  action === 'resume'
    ? `
--until also needs the deployed stack's SCHEDULER_GROUP, SCHEDULER_ROLE_ARN and
PAUSE_RESUME_FUNCTION_ARN (as the pause-resume function has them) to wake the guard.`
    : ''
}
Exit status: 0 done or nothing to do, 1 refused or failed, 2 usage or configuration.`,
  });

export const PAUSE = manual('pause');
export const RESUME = manual('resume');

export const SANDBOX = defineCommand({
  name: 'sandbox',
  args: '[scenario]',
  positionals: { min: 0, max: 1 },
  summary: 'run a scenario on the local stand-in for AWS (default: the demo)',
  description: `Runs a scenario (a file, or a name under sandbox/scenarios/; without one: demo) against the
local stand-in for AWS and prints the timeline. No AWS account is needed.`,
  options: {
    json: { type: 'boolean', help: 'print the machine-readable report instead of the timeline' },
    verbose: { type: 'boolean', help: 'show every entry of the timeline' },
    logs: { type: 'boolean', help: "show the handlers' Powertools logs (level INFO)" },
    list: { type: 'boolean', help: 'list the scenarios in sandbox/scenarios/ and exit' },
  },
  notes: `Progress is shown on stderr when it is a terminal.
Exit status: 0 the scenario's expectations are met, 1 they are not, 2 usage or a bad scenario file.`,
});

export const REPLAY = defineCommand({
  name: 'replay',
  args: '<event.json>',
  positionals: { min: 1, max: 1 },
  summary: 'run one event (or Scheduler payload) through the sandbox',
  description: `Runs one EventBridge event (App Runner's or the guard's own) or one Scheduler payload through the
sandbox and prints what happened. The fleet holds the event's service, in the status the event
implies, unless --scenario gives a fleet (and images, config) to start from.`,
  options: {
    scenario: {
      type: 'string',
      value: '<file.yml>',
      help: 'start from this scenario (fleet, images, config)',
    },
    function: {
      type: 'string',
      value: '<name>',
      help: 'invoke this function with the file as its payload (pause-resume, cleanup, …)',
    },
    for: {
      type: 'string',
      value: '<duration>',
      help: 'how long the simulated clock runs after the event, e.g. +2d (without it: +30m)',
    },
    json: { type: 'boolean', help: 'print the machine-readable report instead of the timeline' },
    logs: { type: 'boolean', help: "show the handlers' Powertools logs (level INFO)" },
  },
  notes: `Progress is shown on stderr when it is a terminal.
Exit status: 0 replayed, 2 usage, an unreadable file or a bad scenario.`,
});

export const UNPIN = defineCommand({
  name: 'unpin',
  args: '<service-name|arn>',
  positionals: { min: 1, max: 1 },
  summary: "release the guard's digest pin: back to the tag the service followed",
  description: `Releases the digest pin the guard's rollback made: UpdateService back to the image identifier the
pin replaced (repo:tag) with automatic deployments as they were, so App Runner deploys what the
tag names now. The same checks as fix forward: the tag must name a digest that is neither the one
that failed nor quarantined, the service must be RUNNING and still on the guard's pin. The
apprunner-guard:fix-forward=off tag stops pushes from releasing a pin, not this command.`,
  options: {
    'dry-run': { type: 'boolean', help: 'print the plan and publish it with dryRun: true; change nothing' },
    region: { type: 'string', value: '<region>', help: "the service's region (sets AWS_REGION)" },
    account: ACCOUNT_OPTION,
  },
  notes: `Environment: LEDGER_TABLE and EVENT_BUS_NAME of the deployed stack are required; USER (or USERNAME)
names you in the published event.
${SERVICE_ENV}
${ACCOUNT_NOTES}
Exit status: 0 released or nothing to do, 1 not pinned, refused or failed, 2 usage or configuration.`,
});

export const STATUS = defineCommand({
  name: 'status',
  args: '<service-name|arn>',
  positionals: { min: 1, max: 1 },
  summary: 'what a service is configured with and runs, whether it is pinned and why, on one screen',
  description: `Shows one service as the guard sees it: its configured image and automatic deployments, its
status, whether the guard pinned it (and what the pin replaced, why and when, and how it ends),
its known-good, candidate and quarantined digests from the release ledger, its bake window (the
tag's minutes, the last bake: baking, promoted or rolled back, and its alarms' states now), and
the guard's pending one-time schedules for it (deletions, follow-ups, promotions).`,
  options: {
    json: { type: 'boolean', help: 'print the same as one JSON object' },
    region: { type: 'string', value: '<region>', help: "the service's region (sets AWS_REGION)" },
    account: ACCOUNT_OPTION,
  },
  notes: `Environment: LEDGER_TABLE and SCHEDULER_GROUP of the deployed stack are required.
${SERVICE_ENV}
${ACCOUNT_NOTES}
Exit status: 0 shown, 1 no such service or a failed call, 2 usage or configuration.`,
});

const DLQ_ENV = `Environment: GUARD_STACK_NAME (the deployed stack, e.g. apprunner-guard-dev) is required: the
guard's DLQs are <stack>-<function>-dlq (events its queue gave up on) and <stack>-<function>-invoke-dlq
(failed asynchronous invocations, e.g. by EventBridge Scheduler).
${SERVICE_ENV}`;

const FUNCTION_OPTION = {
  type: 'string',
  value: '<function>',
  help: "only this function's DLQs (rollback, notify, cleanup, …)",
} as const;

export const DLQ = defineCommand({
  name: 'dlq',
  summary: "what waits in the guard's DLQs (event, service, last error, attempts)",
  description: `Lists what waits in each of the guard's dead-letter queues: for each message the event (detail-type
and status, or the Scheduler action), the service, the last error when the message says it, the
attempts and when it was first seen. It reads each message with visibility timeout 0 (a peek: it
stays where it is; SQS counts the read as a receive) and never deletes anything.
Subcommand: \`guard dlq redrive\` moves the messages back (see \`guard dlq redrive --help\`).`,
  options: {
    function: FUNCTION_OPTION,
    max: { type: 'string', value: '<n>', help: 'read at most n messages per DLQ (1–1000; without it: 100)' },
    json: { type: 'boolean', help: 'print the DLQs and their messages as JSON' },
  },
  notes: `${DLQ_ENV}
Exit status: 0 listed (whether or not something waits), 1 failed, 2 usage or configuration.`,
});

export const DLQ_REDRIVE = defineCommand({
  name: 'dlq redrive',
  summary: "move what waits in the guard's DLQs back to the functions' queues",
  description: `Moves each DLQ's messages back to the queue they came from with SQS's own message move task
(StartMessageMoveTask), and prints the task handle and how many messages it moves. The function
gets each event again, with a fresh receive count. A DLQ with a move task still running is left to it.
An invoke DLQ (<stack>-<function>-invoke-dlq) holds Lambda's records of failed asynchronous
invocations, which no queue can take back: for those it prints the command that re-invokes the
function with each record's payload, for a human to run (and then delete the message).`,
  options: {
    function: FUNCTION_OPTION,
    'dry-run': { type: 'boolean', help: 'print what it would move, and the messages; move nothing' },
    json: { type: 'boolean', help: 'print what it did (or would do) as JSON' },
  },
  notes: `${DLQ_ENV}
Exit status: 0 moved (or nothing to move), 1 something is left to a human or failed, 2 usage or
configuration.`,
});

/** Every command, in the order `guard help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  command(ROUTE, async () => (await import('./route.ts')).runRoute),
  command(ROLLBACK, async () => (await import('./rollback.ts')).runRollback),
  command(UNPIN, async () => (await import('./unpin.ts')).runUnpin),
  command(STATUS, async () => (await import('./status.ts')).runStatus),
  command(SCHEDULE_PLAN, async () => (await import('./schedule.ts')).runSchedulePlan),
  command(PAUSE, async () => (await import('./pause-resume.ts')).manualCommand('pause')),
  command(RESUME, async () => (await import('./pause-resume.ts')).manualCommand('resume')),
  command(SANDBOX, async () => (await import('./sandbox.ts')).runSandbox),
  command(REPLAY, async () => (await import('./replay.ts')).runReplay),
  command(DLQ, async () => (await import('./dlq.ts')).runDlq),
  command(DLQ_REDRIVE, async () => (await import('./dlq.ts')).runDlqRedrive),
];

/** Commands that only group subcommands (`guard schedule plan`): their one-line summary. */
export const GROUPS: Readonly<Record<string, string>> = {
  schedule: 'inspect the pause/resume schedules',
};
