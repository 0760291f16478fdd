import { readFileSync } from 'node:fs';
import { parseServiceArn } from '../lib/events/app-runner.ts';
import { closeSandbox } from '../sandbox/environment.ts';
import { renderReport } from '../sandbox/render.ts';
import { loadScenario, parseScenario, runScenario, type Scenario, ScenarioError } from '../sandbox/run.ts';
import type { CommandRun } from './args.ts';
import type { REPLAY } from './commands.ts';
import { scenarioProgress } from './sandbox.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const STATUS_AFTER: Record<string, 'RUNNING' | 'PAUSED' | 'CREATE_FAILED' | 'DELETE_FAILED'> = {
  CreateServiceFailed: 'CREATE_FAILED',
  DeleteServiceFailed: 'DELETE_FAILED',
  PauseServiceCompletedSuccessfully: 'PAUSED',
  ResumeServiceFailed: 'PAUSED',
  CREATE_FAILED: 'CREATE_FAILED',
  DELETE_FAILED: 'DELETE_FAILED',
  PAUSED: 'PAUSED',
};

/**
 * Builds the replay scenario: the event at its own time (or the payload at its scheduled time),
 * with a fleet holding the service it names.
 */
export function replayScenario(
  input: unknown,
  options: { base?: Scenario; function?: string; runFor?: string } = {},
): Scenario {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ScenarioError('the replayed file must hold one JSON object (an event or a Scheduler payload)');
  }
  const o = input as Record<string, unknown>;
  const isEvent = typeof o.source === 'string' && typeof o['detail-type'] === 'string';
  const when = [o.time, o.scheduledTime].find((t) => typeof t === 'string' && !Number.isNaN(Date.parse(t)));
  const start = new Date(
    typeof when === 'string' ? Date.parse(when) : Date.UTC(2026, 10, 20, 12),
  ).toISOString();
  const base = options.base;
  const region =
    base?.region ??
    (typeof o.region === 'string' && /^[a-z]{2}(-[a-z]+)+-\d$/.test(o.region) ? o.region : 'us-east-1');
  const account = base?.account ?? '111122223333';
  const fleet: Array<Record<string, unknown>> = base ? [...base.fleet] : [];
  const images = base ? [...base.images] : [];
  const arns = [
    ...(Array.isArray(o.resources) ? o.resources : []),
    ...(Array.isArray(o.services) ? o.services : []),
    ...(typeof o.serviceArn === 'string' ? [o.serviceArn] : []),
    ...(typeof (o.detail as { service?: { arn?: unknown } } | undefined)?.service?.arn === 'string'
      ? [(o.detail as { service: { arn: string } }).service.arn]
      : []),
  ];
  for (const arn of arns) {
    const ref = typeof arn === 'string' ? parseServiceArn(arn) : undefined;
    if (!ref || ref.account !== account || ref.region !== region || fleet.some((f) => f.name === ref.name))
      continue;
    const d = (o.detail ?? {}) as Record<string, unknown>;
    const status = [d.Status, d.operationStatus, d.CurrentStatus, d.currentServiceStatus]
      .map((s) => (typeof s === 'string' ? STATUS_AFTER[s] : undefined))
      .find(Boolean);
    images.push({ image: `${ref.name}:latest`, digest: `${ref.name}-current` });
    fleet.push({ name: ref.name, id: ref.id, image: `${ref.name}:latest`, ...(status ? { status } : {}) });
  }
  const action = typeof o.action === 'string' ? o.action : undefined;
  const fn =
    options.function ??
    (action && ['pause', 'resume', 'converge'].includes(action)
      ? 'pause-resume'
      : action && ['sweep', 'delete-failed-service'].includes(action)
        ? 'cleanup'
        : undefined);
  if (!isEvent && !fn) {
    throw new ScenarioError(
      'not an EventBridge event (source, detail-type) nor a known Scheduler payload; give --function',
    );
  }
  const step =
    isEvent && !options.function
      ? { at: start, event: o }
      : { at: start, invoke: { function: fn, payload: o } };
  return parseScenario(
    {
      name: `replay`,
      description: 'One event run through the sandbox.',
      start,
      end: options.runFor ?? '+30m',
      account,
      region,
      seed: base?.seed ?? 1,
      config: base?.config ?? {},
      dryRun: base?.dryRun ?? [],
      settings: { ...(base?.settings ?? {}), deployedSchedules: false },
      images,
      fleet,
      steps: [step],
    },
    'replay',
  );
}

/** `guard replay <event.json>`: runs one event through the sandbox and prints what happened. */
export const runReplay: CommandRun<typeof REPLAY.options> = async ({ values, positionals }, io) => {
  const file = positionals[0]!;
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    io.err(`guard replay: cannot read JSON from ${file}: ${(error as Error).message}\n`);
    return 2;
  }
  const progress = scenarioProgress(values.logs ? { ...io, errIsTTY: false } : io);
  try {
    const scenario = replayScenario(input, {
      ...(values.scenario ? { base: loadScenario(values.scenario) } : {}),
      ...(values.function ? { function: values.function } : {}),
      ...(values.for ? { runFor: values.for } : {}),
    });
    const report = await runScenario(scenario, {
      logLevel: values.logs ? 'INFO' : 'SILENT',
      onEntry: progress.onEntry,
    });
    progress.done();
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    return 0;
  } catch (error) {
    progress.done();
    if (error instanceof ScenarioError) {
      io.err(`guard replay: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await closeSandbox();
  }
};
