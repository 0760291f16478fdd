import * as z from 'zod';
import { imageLabel, parseImage } from '../images.ts';
import { serviceName } from '../scenario-fields.ts';
import { defineStep, liveServiceArn } from './step-kind.ts';

/** UpdateService by hand to another image. */
export const updateStep = defineStep({
  name: 'update',
  schema: z.object({ service: serviceName, image: z.string().min(1) }).strict(),
  describe: (update, registry) =>
    `update ${update.service} to image ${imageLabel(registry.expand(update.image), registry)}`,
  run(update, ctx) {
    const identifier = ctx.registry.expand(update.image);
    const ref = parseImage(identifier);
    ctx.sim.call('UpdateService', {
      ServiceArn: liveServiceArn(ctx, update.service),
      SourceConfiguration: {
        ImageRepository: { ImageIdentifier: identifier, ImageRepositoryType: ref?.kind ?? 'ECR' },
      },
    });
    return undefined;
  },
});
