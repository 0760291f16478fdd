import * as z from 'zod';
import { defineStep } from './step-kind.ts';

/** Invokes a function asynchronously with a payload (a Scheduler payload, say). */
export const invokeStep = defineStep({
  name: 'invoke',
  schema: z.object({ function: z.string().min(1), payload: z.unknown() }).strict(),
  describe: (invoke) => `invoke ${invoke.function}`,
  run(invoke, { lambda }) {
    lambda.invokeAsync(invoke.function, invoke.payload, {
      kind: 'direct',
      ref: 'step',
      label: 'a scenario step',
    });
    return undefined;
  },
});
