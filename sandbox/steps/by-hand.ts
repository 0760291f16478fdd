import * as z from 'zod';
import { serviceAddress } from '../scenario-fields.ts';
import { defineStep, liveServiceArn } from './step-kind.ts';

const ref = z.object({ service: serviceAddress }).strict();

/** PauseService by hand. */
export const pauseStep = defineStep({
  name: 'pause',
  schema: ref,
  describe: (step) => `pause ${step.service} by hand`,
  run(step, ctx) {
    ctx.sim.call('PauseService', { ServiceArn: liveServiceArn(ctx, step.service) });
    return undefined;
  },
});

/** ResumeService by hand. */
export const resumeStep = defineStep({
  name: 'resume',
  schema: ref,
  describe: (step) => `resume ${step.service} by hand`,
  run(step, ctx) {
    ctx.sim.call('ResumeService', { ServiceArn: liveServiceArn(ctx, step.service) });
    return undefined;
  },
});

/** DeleteService by hand. */
export const deleteStep = defineStep({
  name: 'delete',
  schema: ref,
  describe: (step) => `delete ${step.service} by hand`,
  run(step, ctx) {
    ctx.sim.call('DeleteService', { ServiceArn: liveServiceArn(ctx, step.service) });
    return undefined;
  },
});
