import * as z from 'zod';
import { defineStep } from './step-kind.ts';

/** Marks an image good or bad: later deployments of it succeed or fail their health check. */
export const markImageStep = defineStep({
  name: 'markImage',
  schema: z.object({ digest: z.string().min(1), bad: z.boolean() }).strict(),
  describe: (mark) => `mark image ${mark.digest} ${mark.bad ? 'bad' : 'good'}`,
  run(mark, { registry }) {
    registry.mark(mark.digest, mark.bad);
    return undefined;
  },
});
