/** A one-time schedule the guard creates (`at()`, UTC, deleted after it runs). */
export interface OneTimeSchedule {
  /** 1–64 characters of `[0-9A-Za-z_.-]`; deterministic, so creating it twice is harmless. */
  name: string;
  at: Date;
  targetArn: string;
  input: Record<string, unknown>;
  description?: string;
}

/** A schedule as read back. */
export interface ScheduleView {
  name: string;
  expression: string;
  input?: string;
  state?: string;
}

/** Port: EventBridge Scheduler one-time schedules in the guard's own group. */
export interface SchedulerPort {
  /** Creates the schedule; `created: false` when one of that name already exists (idempotent). */
  createOneTime(schedule: OneTimeSchedule): Promise<{ created: boolean }>;
  /** `undefined` when there is no such schedule. */
  get(name: string): Promise<ScheduleView | undefined>;
  /** Every schedule in the guard's group (names and state), following pagination. */
  list(): AsyncIterable<{ name: string; state?: string }>;
  /** Deletes the schedule; deleting one that is gone is not an error. */
  delete(name: string): Promise<void>;
}
