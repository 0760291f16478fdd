import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError, toEpoch } from '../../sandbox/scenario.ts';

const SCENARIOS = join(import.meta.dirname, '../../sandbox/scenarios');
const base = { name: 't', start: '2026-11-20T10:00:00Z' };

const problems = (raw: unknown) => {
  try {
    parseScenario(raw, 'bad.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
};

describe('scenario files', () => {
  it.each(readdirSync(SCENARIOS).filter((f) => /\.(ya?ml|json)$/.test(f)))(
    '%s is a valid scenario',
    (file) => {
      const s = loadScenario(join(SCENARIOS, file));
      expect(s.name).toBeTruthy();
    },
  );

  it('fills defaults', () => {
    const s = parseScenario(base);
    expect(s).toMatchObject({ seed: 1, account: '111122223333', region: 'us-east-1', steps: [], fleet: [] });
    expect(s.settings).toMatchObject({
      eventSpelling: 'PascalCase',
      deliveryDelaySeconds: 1,
      retryDelaysSeconds: [60, 120],
    });
  });

  it('names each offending field', () => {
    const message = problems({
      ...base,
      start: 'yesterday',
      fleet: [
        { name: 'x', image: 'a:b' },
        { name: 'ok-name', image: 'a:b', colour: 'red' },
      ],
      steps: [
        { at: '+5m' },
        { at: '+1m', push: { image: 'a:b' }, pause: { service: 'ok-name' } },
        { deploy: {} },
      ],
      faults: { apprunner: { throttle: 2 } },
    });
    expect(message).toContain('bad.yml is invalid');
    expect(message).toContain('start: must be an ISO-8601 time');
    expect(message).toContain('fleet.0.name: must be a valid App Runner service name');
    expect(message).toContain('fleet.1: unknown field(s) "colour"');
    expect(message).toContain('steps.0: needs one action');
    expect(message).toContain('steps.1: has several actions (push, pause)');
    expect(message).toContain('steps.2.deploy.service: is required');
    expect(message).toContain('faults.apprunner.throttle');
  });

  it('rejects steps before the start, a service declared twice, and a service with neither image nor code', () => {
    expect(
      problems({ ...base, steps: [{ at: '2026-11-19T00:00:00Z', pause: { service: 'abcd' } }] }),
    ).toContain('steps.0.at: is before start');
    expect(
      problems({
        ...base,
        fleet: [
          { name: 'abcd', image: 'a:b' },
          { name: 'abcd', image: 'a:b' },
        ],
      }),
    ).toContain('declared twice');
    expect(problems({ ...base, fleet: [{ name: 'abcd' }] })).toContain('give exactly one of image or code');
  });

  it('reads times as ISO or offsets from the start', () => {
    const start = Date.parse(base.start);
    expect(toEpoch('+1d2h3m4s', start) - start).toBe(((26 * 60 + 3) * 60 + 4) * 1000);
    expect(toEpoch('2026-11-20T11:00:00+01:00', start)).toBe(start);
  });

  it('reports unreadable and unparseable files clearly, and resolves event files next to the scenario', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    expect(() => loadScenario(join(dir, 'missing.yml'))).toThrow(/cannot read scenario/);
    writeFileSync(join(dir, 'broken.yml'), 'name: [unclosed');
    expect(() => loadScenario(join(dir, 'broken.yml'))).toThrow(/not valid YAML/);
    writeFileSync(join(dir, 'event.json'), JSON.stringify({ source: 'aws.apprunner' }));
    writeFileSync(
      join(dir, 'ok.yml'),
      'name: ok\nstart: 2026-11-20T10:00:00Z\nsteps:\n  - event: { file: event.json }\n',
    );
    expect(loadScenario(join(dir, 'ok.yml')).steps[0]?.event).toEqual({ source: 'aws.apprunner' });
  });
});
