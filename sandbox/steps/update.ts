import * as z from 'zod';
import { imageLabel, parseImage } from '../images.ts';
import { serviceAddress } from '../scenario-fields.ts';
import { defineStep, liveServiceArn } from './step-kind.ts';

/** UpdateService by hand to another image, optionally switching automatic deployments. */
export const updateStep = defineStep({
  name: 'update',
  schema: z
    .object({ service: serviceAddress, image: z.string().min(1), autoDeploy: z.boolean().optional() })
    .strict(),
  describe: (update, registry) =>
    `update ${update.service} to image ${imageLabel(registry.expand(update.image), registry)}${
      update.autoDeploy === undefined ? '' : ` (automatic deployments ${update.autoDeploy ? 'on' : 'off'})`
    }`,
  run(update, ctx) {
    const identifier = ctx.registry.expand(update.image);
    const ref = parseImage(identifier);
    ctx.sim.call('UpdateService', {
      ServiceArn: liveServiceArn(ctx, update.service),
      SourceConfiguration: {
        ImageRepository: { ImageIdentifier: identifier, ImageRepositoryType: ref?.kind ?? 'ECR' },
        ...(update.autoDeploy === undefined ? {} : { AutoDeploymentsEnabled: update.autoDeploy }),
      },
    });
    return undefined;
  },
});
