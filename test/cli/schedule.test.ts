import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualCommand } from '../../cli/pause-resume.ts';
import { scheduleCommand } from '../../cli/schedule.ts';
import type { AppRunnerPort } from '../../lib/aws/app-runner.ts';
import { TAGS } from '../../lib/tags.ts';

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'guard-cli-'));
const fleetFile = join(dir, 'fleet.json');
writeFileSync(
  fleetFile,
  JSON.stringify([
    { name: 'checkout-web', status: 'RUNNING', tags: { [TAGS.schedule]: 'office-hours-berlin' } },
    { name: 'prod-api', status: 'RUNNING', tags: {} },
  ]),
);

describe('guard schedule plan', () => {
  it('prints each decision and why, offline from a fleet file', async () => {
    // Friday 2026-11-20 20:00 Berlin.
    expect(await scheduleCommand(['plan', '--at', '2026-11-20T19:00:00Z', '--fleet', fleetFile])).toBe(0);
    expect(out).toContain('Schedule office-hours-berlin (Europe/Berlin) at 2026-11-20 20:00 Europe/Berlin');
    expect(out).toMatch(/checkout-web\s+RUNNING\s+pause\s+acted/);
    expect(out).not.toContain('prod-api');
  });

  it('on a configured skip date, explains that services stay paused', async () => {
    expect(await scheduleCommand(['plan', '--at', '2026-12-24T10:00:00Z', '--fleet', fleetFile])).toBe(0);
    expect(out).toContain('2026-12-24 is a skip date in Europe/Berlin');
  });

  it('rejects a bad --at, an unknown schedule and an unknown subcommand', async () => {
    expect(await scheduleCommand(['plan', '--at', 'soon', '--fleet', fleetFile])).toBe(2);
    expect(err).toContain('"soon" is not an ISO-8601 time');
    expect(await scheduleCommand(['plan', '--schedule', 'nope', '--fleet', fleetFile])).toBe(2);
    expect(err).toContain('no schedule "nope" (configured: office-hours-berlin)');
    expect(await scheduleCommand(['list'])).toBe(2);
  });
});

describe('guard pause|resume', () => {
  function port(status: string, tags: Record<string, string>) {
    const calls: string[] = [];
    const p = {
      async *listServices() {
        yield { arn: 'arn:web', name: 'web', id: 'x', status };
      },
      listTags: async () => tags,
      pauseService: async () => {
        calls.push('pause');
        return {};
      },
      resumeService: async () => {
        calls.push('resume');
        return {};
      },
      tagService: async (_: string, t: Record<string, string>) =>
        void calls.push(`tag ${Object.keys(t).join(',')}`),
      untagService: async (_: string, k: readonly string[]) => void calls.push(`untag ${k.join(',')}`),
    } as unknown as AppRunnerPort;
    return { p, calls };
  }

  it('resumes a hand-paused service when asked, with a warning', async () => {
    const { p, calls } = port('PAUSED', {});
    expect(await manualCommand('resume', p)(['web'])).toBe(0);
    expect(calls).toEqual(['resume', `tag ${TAGS.lastAction}`]);
    expect(err).toContain('was not paused by the guard');
  });

  it('--dry-run prints the calls and changes nothing', async () => {
    const { p, calls } = port('RUNNING', {});
    expect(await manualCommand('pause', p)(['web', '--dry-run'])).toBe(0);
    expect(calls).toEqual([]);
    expect(out).toContain('[dry-run] would pause service on web');
  });

  it('refuses a service with an operation in progress, and an unknown service', async () => {
    expect(await manualCommand('pause', port('OPERATION_IN_PROGRESS', {}).p)(['web'])).toBe(1);
    expect(err).toContain('refused');
    expect(await manualCommand('pause', port('RUNNING', {}).p)(['other'])).toBe(1);
    expect(err).toContain('no service "other"');
  });
});
