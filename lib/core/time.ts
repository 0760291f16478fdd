/** Time units, written once (docs/architecture.md, "Shared facts"). */
export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const MINUTE_SECONDS = 60;
export const HOUR_SECONDS = 60 * MINUTE_SECONDS;
export const DAY_SECONDS = 24 * HOUR_SECONDS;

/** `at` plus `minutes` (negative to go back). */
export function addMinutes(at: Date, minutes: number): Date {
  return new Date(at.getTime() + minutes * MINUTE_MS);
}

/** Whole seconds since the epoch, `days` after `at` (DynamoDB TTL attributes). */
export function epochSecondsAfter(at: Date, days: number): number {
  return Math.floor(at.getTime() / SECOND_MS) + days * DAY_SECONDS;
}
