import * as z from 'zod';
import { serviceAddress } from '../scenario-fields.ts';
import { defineStep, liveServiceArn } from './step-kind.ts';

/** StartDeployment by hand, optionally made to fail. */
export const deployStep = defineStep({
  name: 'deploy',
  schema: z.object({ service: serviceAddress, fail: z.boolean().optional() }).strict(),
  describe: (deploy) => `start a deployment of ${deploy.service}${deploy.fail ? ' (it will fail)' : ''}`,
  run(deploy, ctx) {
    if (deploy.fail) ctx.sim.failNext(deploy.service, 'deploy', 1);
    const out = ctx.sim.call('StartDeployment', { ServiceArn: liveServiceArn(ctx, deploy.service) });
    return `operation ${String(out.OperationId)}`;
  },
});
