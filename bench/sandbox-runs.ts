// Fleet throughput and the alert storm, through the sandbox (the real handlers, the real SDK,
// stand-ins over HTTP). Run in a process of their own: the sandbox's handlers are imported once
// per scenario and its servers live as long as the process.
import type { TimelineEntry } from '../sandbox/report.ts';
import { parseScenario, runScenario } from '../sandbox/run.ts';
import { FLEET_API, FLEET_PARTITIONS, fleetScenario, stormScenario } from './scenarios.ts';
import { type Summary, summarize } from './stats.ts';

/** One pause run of the fleet. */
export interface FleetRun {
  /** Real milliseconds from the fire to the end of the last pause-resume invocation (follow-ups included). */
  wallMs: number;
  /** App Runner requests App Runner accepted (the work), and the ones it refused for the rate. */
  apiCalls: number;
  throttled: number;
  /** Accepted App Runner calls per paused service (the pause itself is 1). */
  callsPerService: number;
  /**
   * The slowest partition's `PauseService` calls ÷ the allowed rate: no client can pause that
   * partition's services faster, and the partitions run side by side.
   */
  boundMs: number;
  ratio: number;
  invocations: number;
  /** Services never paused, and pauses beyond the first of a service. */
  lost: number;
  duplicated: number;
  byOperation: Record<string, number>;
}

/**
 * The fleet runs of one bench: each run's figures, and across them the median and spread of the
 * wall time and the ratio (a shared machine makes one run a poor measure), with the losses and
 * duplicates of every run added up (one is one too many).
 */
export interface FleetFigure {
  services: number;
  /** Accounts × regions, each with App Runner's rate of its own. */
  partitions: number;
  runs: FleetRun[];
  wallMs: Summary;
  ratio: Summary;
  boundMs: number;
  /** Of the median run (by ratio). */
  apiCalls: number;
  callsPerService: number;
  byOperation: Record<string, number>;
  /** Refusals for the rate, in all runs. */
  throttled: number;
  lost: number;
  duplicated: number;
  invocations: number;
}

export interface StormFigure {
  failures: number;
  /** Real milliseconds of the run (Slack's 1 message/s is the real-time cost). */
  wallMs: number;
  slackMessages: number;
  slackRateLimited: number;
  snsMessages: number;
  /** Failed services whose alert never reached Slack, and extra messages for one service. */
  lost: number;
  duplicated: number;
  failedInvocations: number;
  notifyOutcomes: Record<string, number>;
}

const count = <T>(items: T[], key: (t: T) => string) =>
  items.reduce<Record<string, number>>((acc, t) => {
    acc[key(t)] = (acc[key(t)] ?? 0) + 1;
    return acc;
  }, {});

/** Pauses `services` services at {@link FLEET_API} once and counts what the simulator did per service. */
async function measureFleetRun(services: number): Promise<FleetRun> {
  let startedAt = 0;
  let endedAt = 0;
  const onEntry = (e: TimelineEntry) => {
    if (e.kind === 'step' && !startedAt) startedAt = performance.now();
    if (e.kind === 'invocation' && e.function === 'pause-resume') endedAt = performance.now();
  };
  const report = await runScenario(parseScenario(fleetScenario(services), 'bench fleet'), { onEntry });
  const calls = report.apiCalls.filter((c) => c.api === 'apprunner');
  const accepted = calls.filter((c) => !c.fault);
  const pauses = report.fleet.map((s) => s.operations.filter((o) => o.type === 'PAUSE_SERVICE').length);
  const perPartition = new Map<string, number>();
  report.fleet.forEach((s, i) => {
    const key = `${s.account}/${s.region}`;
    perPartition.set(key, (perPartition.get(key) ?? 0) + pauses[i]!);
  });
  const slowest = Math.max(...perPartition.values());
  const boundMs = (slowest / FLEET_API.maxRequestsPerSecond) * 1000;
  const wallMs = endedAt - startedAt;
  const paused = pauses.filter((n) => n > 0).length;
  return {
    wallMs,
    apiCalls: accepted.length,
    throttled: calls.length - accepted.length,
    callsPerService: Math.round((accepted.length / Math.max(1, paused)) * 100) / 100,
    boundMs,
    ratio: Math.round((wallMs / boundMs) * 100) / 100,
    invocations: report.invocations.filter((i) => i.function === 'pause-resume').length,
    lost: pauses.filter((n) => n === 0).length,
    duplicated: pauses.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    byOperation: count(accepted, (c) => c.operation),
  };
}

/** Pauses `services` services at {@link FLEET_API}, `runs` times, one after the other. */
export async function measureFleet(
  services: number,
  runs: number,
  log?: (s: string) => void,
): Promise<FleetFigure> {
  const all: FleetRun[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await measureFleetRun(services);
    all.push(run);
    log?.(
      `    fleet run ${i + 1}/${runs}: ${(run.wallMs / 1000).toFixed(2)} s, ${run.ratio.toFixed(2)}×, ${run.throttled} refused`,
    );
  }
  const ratio = summarize(all.map((r) => r.ratio));
  const median = all.find((r) => r.ratio === ratio.median)!;
  return {
    services,
    partitions: FLEET_PARTITIONS.length,
    runs: all,
    wallMs: summarize(all.map((r) => r.wallMs)),
    ratio,
    boundMs: Math.max(...all.map((r) => r.boundMs)),
    apiCalls: median.apiCalls,
    callsPerService: median.callsPerService,
    byOperation: median.byOperation,
    throttled: all.reduce((n, r) => n + r.throttled, 0),
    lost: all.reduce((n, r) => n + r.lost, 0),
    duplicated: all.reduce((n, r) => n + r.duplicated, 0),
    invocations: Math.max(...all.map((r) => r.invocations)),
  };
}

/** `failures` deployment failures in one minute: what reached Slack, what Slack refused, what was lost. */
export async function measureStorm(failures: number): Promise<StormFigure> {
  const report = await runScenario(parseScenario(stormScenario(failures), 'bench storm'));
  const failed = report.appRunnerEvents
    .filter((e) => (e.detail as Record<string, unknown>).Status === 'UpdateServiceFailed')
    .map((e) => String((e.detail as Record<string, unknown>).ServiceName));
  const perService = failed.map(
    (name) => report.slackMessages.filter((m) => new RegExp(`\\b${name}\\b`).test(m.text)).length,
  );
  return {
    failures: failed.length,
    wallMs: report.elapsedMs,
    slackMessages: report.slackMessages.length,
    slackRateLimited: report.slackRejections.filter((r) => r.status === 429).length,
    snsMessages: report.snsMessages.length,
    lost: perService.filter((n) => n === 0).length,
    duplicated: perService.reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    failedInvocations: report.failedInvocations.length,
    notifyOutcomes: count(
      report.invocations.filter((i) => i.function === 'notify'),
      (i) => i.outcome,
    ),
  };
}
