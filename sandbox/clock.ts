import { performance } from 'node:perf_hooks';

interface Task {
  at: number;
  seq: number;
  label: string;
  run: () => Promise<void> | void;
  cancelled: boolean;
}

/** A handle to cancel a scheduled task. */
export interface TaskHandle {
  cancel(): void;
}

/**
 * A discrete-event simulated clock. Tasks run one at a time in time order (ties in the order they
 * were scheduled); while a task runs, simulated time stands still at the task's time, so handlers
 * see a consistent "now" and nothing sleeps for real.
 */
export class SimClock {
  private queue: Task[] = [];
  private seq = 0;
  private current: number;
  private lastWall: number;
  private lastReal = performance.now();
  /** Tasks run so far (a runaway scenario is stopped at {@link maxTasks}). */
  executed = 0;

  constructor(
    start: Date,
    private readonly maxTasks = 200_000,
  ) {
    this.current = start.getTime();
    this.lastWall = this.current;
  }

  /** Simulated now, in epoch milliseconds. */
  get now(): number {
    return this.current;
  }

  nowDate(): Date {
    return new Date(this.current);
  }

  /**
   * A clock that runs at real speed but never falls behind simulated time: several messages sent
   * at the same simulated instant are spaced by the real time between them (a handler honouring a
   * Slack `Retry-After` really waits), and a jump of the simulated clock moves it forward.
   */
  wallNow(): number {
    const real = performance.now();
    const t = Math.max(this.current, this.lastWall + (real - this.lastReal));
    this.lastWall = t;
    this.lastReal = real;
    return t;
  }

  /**
   * A wait inside a handler, simulated (`lib/aws/waits.ts`): {@link wallNow} moves on by `ms` at
   * once, as if the handler had slept that long (a Slack `Retry-After` waited out).
   */
  advanceWall(ms: number): void {
    this.wallNow();
    this.lastWall += ms;
  }

  /** Schedules `run` at `at` (epoch ms); a time in the past runs at the current time. */
  schedule(at: number, label: string, run: () => Promise<void> | void): TaskHandle {
    const task: Task = { at: Math.max(at, this.current), seq: this.seq++, label, run, cancelled: false };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.queue[mid]!;
      if (m.at < task.at || (m.at === task.at && m.seq < task.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, task);
    return { cancel: () => (task.cancelled = true) };
  }

  /** Time of the next pending task, if any. */
  nextAt(): number | undefined {
    return this.queue.find((t) => !t.cancelled)?.at;
  }

  /** Labels of tasks still pending (for the report). */
  pending(): Array<{ at: number; label: string }> {
    return this.queue.filter((t) => !t.cancelled).map((t) => ({ at: t.at, label: t.label }));
  }

  /** Runs every task due at or before `end`, in time order, then sets the time to `end`. */
  async runUntil(end: number): Promise<void> {
    for (;;) {
      const task = this.queue[0];
      if (!task || task.at > end) break;
      this.queue.shift();
      if (task.cancelled) continue;
      if (++this.executed > this.maxTasks) {
        throw new Error(`simulation stopped after ${this.maxTasks} tasks: the scenario does not settle`);
      }
      this.current = Math.max(this.current, task.at);
      await task.run();
    }
    this.current = Math.max(this.current, end);
  }
}
