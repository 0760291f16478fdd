import * as z from 'zod';
import { OPERATION_KINDS, serviceAddress } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/** Makes the next n operations of a kind on a service fail. */
export const failNextStep = defineStep({
  name: 'failNext',
  schema: z
    .object({
      service: serviceAddress,
      operation: z.enum(OPERATION_KINDS),
      times: z.number().int().min(1).default(1),
    })
    .strict(),
  describe: (f) => `make the next ${f.times} ${f.operation} operation(s) of ${f.service} fail`,
  run(f, { sim }) {
    sim.failNext(f.service, f.operation, f.times);
    return undefined;
  },
});
