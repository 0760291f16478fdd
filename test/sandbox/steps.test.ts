import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageRegistry } from '../../sandbox/images.ts';
import { parseScenario, ScenarioError } from '../../sandbox/scenario.ts';
import { describeStep, STEP_KIND_NAMES, STEP_KINDS } from '../../sandbox/steps/index.ts';

const README = readFileSync(join(import.meta.dirname, '../../sandbox/README.md'), 'utf8');
const base = { name: 't', start: '2026-11-20T10:00:00Z' };

describe('step registry', () => {
  it('gives every step kind a unique name', () => {
    expect(new Set(STEP_KIND_NAMES).size).toBe(STEP_KINDS.length);
  });

  it.each(STEP_KIND_NAMES)('%s is documented in the scenario format of sandbox/README.md', (name) => {
    expect(README).toMatch(new RegExp(`\\b${name}: \\{`));
  });

  it('a step without an action is refused naming every registered kind', () => {
    let message = '';
    try {
      parseScenario({ ...base, steps: [{ at: '+1m' }] }, 'bad.yml');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      message = (error as Error).message;
    }
    expect(message).toContain(`steps.0: needs one action: ${STEP_KIND_NAMES.join(', ')}`);
  });

  it('validates a step with the schema of its kind and describes it with its kind', () => {
    const scenario = parseScenario({
      ...base,
      steps: [{ failNext: { service: 'payments-api', operation: 'pause' } }],
    });
    const step = scenario.steps[0]!;
    expect(step.failNext).toEqual({ service: 'payments-api', operation: 'pause', times: 1 });
    expect(describeStep(step, new ImageRegistry('111122223333.dkr.ecr.us-east-1.amazonaws.com'))).toBe(
      'make the next 1 pause operation(s) of payments-api fail',
    );
  });
});
