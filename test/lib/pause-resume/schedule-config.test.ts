import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  loadScheduleConfig,
  parseScheduleDefinitions,
  ScheduleConfigError,
  toSchedulerJobs,
} from '../../../lib/pause-resume/schedule-config.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const valid = {
  timezone: 'Europe/Berlin',
  pause: 'cron(0 20 * * ? *)',
  resume: 'cron(0 7 * * ? *)',
};

describe('parseScheduleDefinitions', () => {
  it('applies defaults: every day, no skip dates, enabled', () => {
    expect(parseScheduleDefinitions({ schedules: { nightly: valid } })).toEqual([
      { name: 'nightly', ...valid, skipDates: [], enabled: true },
    ]);
  });

  it('accepts an empty file and an empty schedules map', () => {
    expect(parseScheduleDefinitions(undefined)).toEqual([]);
    expect(parseScheduleDefinitions({ schedules: null })).toEqual([]);
  });

  it.each([
    [{ ...valid, timezone: 'Europe/Berln' }, 'schedule "s": timezone: must be an IANA time zone'],
    [{ ...valid, timezone: undefined }, 'schedule "s": timezone: is required'],
    [
      { ...valid, pause: 'cron(0 25 * * ? *)' },
      'schedule "s": pause: invalid schedule expression "cron(0 25 * * ? *)": hours value 25',
    ],
    [{ ...valid, resume: 'rate(1 hour)' }, 'schedule "s": resume: must be a cron(...) expression'],
    [
      { ...valid, skipDates: ['2025-02-30'] },
      'schedule "s": skipDates.0: must be a calendar date yyyy-mm-dd',
    ],
    [{ ...valid, weekdays: ['MON', 'FUNDAY'] }, 'schedule "s": weekdays.1: must be one of SUN, MON'],
    [{ ...valid, weekdays: [] }, 'schedule "s": weekdays: must name at least one day'],
    [{ ...valid, timeZone: 'UTC' }, 'schedule "s": unknown field "timeZone"'],
    [{ ...valid, resume: valid.pause }, 'schedule "s": pause and resume are the same expression'],
  ])('%o → %s', (body, message) => {
    expect(() => parseScheduleDefinitions({ schedules: { s: body } })).toThrow(ScheduleConfigError);
    expect(() => parseScheduleDefinitions({ schedules: { s: body } })).toThrow(message);
  });

  it('names every bad schedule at once', () => {
    expect(() =>
      parseScheduleDefinitions({ schedules: { a: { ...valid, timezone: 'x' }, 'b c': valid, ok: valid } }),
    ).toThrow(/schedule "a": timezone.*schedule "b c": name must be/);
  });

  it('rejects top-level typos', () => {
    expect(() => parseScheduleDefinitions({ schedule: {} })).toThrow('unknown field "schedule"');
  });

  it('rejects a definition whose payload would exceed the 8192-character Scheduler input', () => {
    const skipDates = Array.from({ length: 700 }, (_, i) =>
      new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
    );
    expect(() => parseScheduleDefinitions({ schedules: { big: { ...valid, skipDates } } })).toThrow(
      /schedule "big": the pause payload is \d+ characters, over Scheduler's 8192/,
    );
  });
});

describe('toSchedulerJobs', () => {
  it('makes a pause and a resume job per enabled schedule with a self-contained payload', () => {
    const defs = parseScheduleDefinitions({
      schedules: {
        tokyo: { ...valid, timezone: 'Asia/Tokyo', skipDates: ['2026-01-01'], weekdays: ['MON'] },
        off: { ...valid, enabled: false },
      },
    });
    const jobs = toSchedulerJobs(defs);
    expect(jobs.map((j) => [j.name, j.expression, j.timezone])).toEqual([
      ['tokyo-pause', 'cron(0 20 * * ? *)', 'Asia/Tokyo'],
      ['tokyo-resume', 'cron(0 7 * * ? *)', 'Asia/Tokyo'],
    ]);
    expect(jobs[1]!.input).toEqual({
      action: 'resume',
      schedule: 'tokyo',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      definition: { ...valid, timezone: 'Asia/Tokyo', skipDates: ['2026-01-01'], weekdays: ['MON'] },
    });
  });
});

describe('loadScheduleConfig', () => {
  it('loads the shipped infra/schedules.yml', () => {
    const defs = loadScheduleConfig(join(ROOT, 'infra/schedules.yml'));
    expect(defs.length).toBeGreaterThan(0);
    expect(toSchedulerJobs(defs).length).toBe(defs.filter((d) => d.enabled).length * 2);
  });

  it('names the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schedules-'));
    const file = join(dir, 'schedules.yml');
    writeFileSync(
      file,
      'schedules:\n  x:\n    timezone: Nowhere/Land\n    pause: cron(0 20 * * ? *)\n    resume: cron(0 7 * * ? *)\n',
    );
    expect(() => loadScheduleConfig(file)).toThrow(`${file} is invalid: schedule "x": timezone`);
    expect(() => loadScheduleConfig(join(dir, 'missing.yml'))).toThrow('cannot read schedule file');
    writeFileSync(file, 'schedules: [unclosed');
    expect(() => loadScheduleConfig(file)).toThrow('is not valid YAML');
  });
});
