import { describe, expect, it } from 'vitest';
import { ROOT } from '../../sandbox/run.ts';
import { listFixtures, loadFixture } from '../support/fixtures.ts';
import { checkRecorded } from './check-recorded.ts';
import type { SeenEvent } from './target.ts';

const fixture = (name: string) => loadFixture<SeenEvent>(name);

describe('checkRecorded', () => {
  it('finds nothing wrong with the App Runner fixtures in either spelling', () => {
    const events = ['apprunner-operation', 'apprunner-status', 'apprunner-camel']
      .flatMap(listFixtures)
      .map(fixture);
    expect(events.length).toBeGreaterThan(20);
    expect(checkRecorded(events, ROOT)).toEqual([]);
  });

  it('names an event the guard would misread: a status spelled in a way neither the parser nor the rules know', () => {
    const e = fixture('apprunner-operation/deployment-failed');
    const { Status: _status, ...rest } = e.detail;
    const recorded = { ...e, id: 'real-1', detail: { ...rest, OperationStatus: 'DeploymentFailed' } };
    const problems = checkRecorded([recorded], ROOT);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\? event real-1: the guard's parser rejects it: /);
  });

  it('names a failure no deployed rule sends to the function that acts on it', () => {
    const e = fixture('apprunner-operation/deployment-failed');
    const problems = checkRecorded([e], ROOT, []);
    expect(problems).toEqual([`DeploymentFailed event ${e.id}: no deployed rule routes it to rollback`]);
  });
});
