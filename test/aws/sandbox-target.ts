import { digestOf } from '../../sandbox/images.ts';
import { parseScenario, runScenario, type SandboxReport } from '../../sandbox/run.ts';
import {
  currentStatusOf,
  describeSnapshot,
  type ScheduleSpec,
  type SeenEvent,
  type ServiceSpec,
  type ServiceView,
  type Snapshot,
  serviceNameOf,
  type Target,
} from './target.ts';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const START = Date.parse('2026-11-23T09:00:00Z');
/** Actions a flow takes right after a wait happen a second later, after whatever ended the wait. */
const STEP_MS = 1000;

/** Options of {@link SandboxTarget}. */
export interface SandboxTargetOptions {
  prefix?: string;
  /** The guard's CLEANUP_GRACE_MINUTES in this run. */
  graceMinutes?: number;
  /** Overrides of the guard's environment (lib/config.ts names), e.g. a dry-run switch. */
  config?: Record<string, string>;
}

/**
 * The sandbox as a target. The sandbox runs a whole scenario on its simulated clock, so this
 * target builds one as the flow goes: every action is a scenario step at the target's current
 * simulated time, and every wait runs the scenario so far — from the start, deterministically (one
 * seed) — up to now + the timeout, then moves now to the first moment the condition held. Steps
 * added later never change what happened before them, so each replay agrees with the last.
 */
export class SandboxTarget implements Target {
  readonly kind = 'sandbox' as const;
  readonly prefix: string;
  readonly graceMinutes: number;
  private readonly steps: Array<Record<string, unknown>> = [];
  private readonly schedules: Record<string, unknown> = {};
  private readonly services: string[] = [];
  private nowMs = START;
  private last: { end: number; report: SandboxReport } | undefined;
  private pushes = 0;
  private readonly config: Record<string, string>;

  constructor(options: SandboxTargetOptions = {}) {
    this.prefix = options.prefix ?? 'agtest-sandbox';
    this.graceMinutes = options.graceMinutes ?? 5;
    this.config = options.config ?? {};
  }

  name(suffix: string): string {
    return `${this.prefix}-${suffix}`;
  }

  now(): Date {
    return new Date(this.nowMs);
  }

  private step(action: Record<string, unknown>): void {
    this.steps.push({ at: new Date(this.nowMs).toISOString(), ...action });
    this.nowMs += STEP_MS;
  }

  async createRepository(suffix: string): Promise<string> {
    return `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${this.name(suffix)}`;
  }

  async pushImage(repository: string, tag: string, kind: 'good' | 'bad'): Promise<string> {
    const label = `${repository.split('/').pop()}-${tag}-${kind}-${++this.pushes}`;
    this.step({ push: { image: `${repository}:${tag}`, digest: label, bad: kind === 'bad' } });
    return digestOf(label);
  }

  async createService(spec: ServiceSpec): Promise<void> {
    this.services.push(spec.name);
    this.step({
      createService: {
        name: spec.name,
        image: `${spec.repository}:${spec.tag}`,
        autoDeploy: spec.autoDeploy,
        tags: spec.tags ?? {},
      },
    });
  }

  async createSchedule(spec: ScheduleSpec): Promise<void> {
    // The scenario's schedules are deployed when it starts; a cron time ahead of now fires on time.
    this.schedules[spec.name] = { timezone: spec.timezone, pause: spec.pause, resume: spec.resume };
  }

  /** Runs the scenario built so far from its start to `end`. */
  private async runUntil(end: number): Promise<SandboxReport> {
    if (this.last?.end === end) return this.last.report;
    const scenario = parseScenario(
      {
        name: this.prefix,
        start: new Date(START).toISOString(),
        end: new Date(end).toISOString(),
        account: ACCOUNT,
        region: REGION,
        config: { CLEANUP_GRACE_MINUTES: String(this.graceMinutes), ...this.config },
        schedules: this.schedules,
        steps: this.steps,
      },
      `acceptance flow ${this.prefix}`,
    );
    const report = await runScenario(scenario);
    const refused = report.timeline.find((e) => e.kind === 'step' && !e.ok);
    if (refused?.kind === 'step') throw new Error(`sandbox refused "${refused.text}": ${refused.error}`);
    this.last = { end, report };
    return report;
  }

  async waitFor(
    description: string,
    condition: (s: Snapshot) => boolean,
    timeoutMs: number,
  ): Promise<Snapshot> {
    const from = this.nowMs;
    const report = await this.runUntil(from + timeoutMs);
    const moments = [...new Set(report.timeline.map((e) => Date.parse(e.time)))]
      .filter((t) => t >= from)
      .sort((a, b) => a - b);
    for (const t of moments) {
      const s = snapshotAt(report, t);
      if (condition(s)) {
        this.nowMs = t + STEP_MS;
        return s;
      }
    }
    this.nowMs = from + timeoutMs;
    throw new Error(
      `timed out after ${timeoutMs / 60_000} min waiting for ${description} (${describeSnapshot(
        snapshotAt(report, this.nowMs),
        this.services,
      )})`,
    );
  }

  async describeService(name: string): Promise<ServiceView | undefined> {
    const report = await this.runUntil(this.nowMs);
    const entry = report.fleet.filter((s) => s.name === name).at(-1);
    return entry && { name, arn: entry.arn, status: entry.status, imageIdentifier: entry.configured };
  }

  recordedEvents(): SeenEvent[] {
    return this.last ? snapshotAt(this.last.report, this.nowMs).appRunnerEvents : [];
  }

  /** The sandbox's world is dropped after each run: nothing is left to delete. */
  async cleanup(): Promise<string[]> {
    return [];
  }
}

/** What had been seen by `t`: bus events, SNS messages and the statuses App Runner reported. */
export function snapshotAt(report: SandboxReport, t: number): Snapshot {
  const records = report.events.filter((r) => Date.parse(r.time) <= t);
  const appRunnerEvents = records.filter((r) => r.origin === 'apprunner').map((r) => r.event as SeenEvent);
  const statuses = new Map<string, string>();
  for (const e of appRunnerEvents) {
    const name = serviceNameOf(e);
    const status = currentStatusOf(e);
    if (name && status) statuses.set(name, status);
  }
  return {
    status: (name) => statuses.get(name),
    appRunnerEvents,
    guardEvents: records.filter((r) => r.origin === 'guard').map((r) => r.event as SeenEvent),
    alerts: report.snsMessages
      .filter((m) => Date.parse(m.time) <= t)
      .map((m) => ({ subject: m.subject ?? '', message: m.message, attributes: m.attributes })),
  };
}
