import { imageSchema } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/** Pushes an image tag (ECR); App Runner's automatic deployments of that tag start. */
export const pushStep = defineStep({
  name: 'push',
  schema: imageSchema,
  describe: (push) =>
    `push ${push.image} → ${push.digest ?? '(new digest)'}${push.bad ? ' (bad image)' : ''}`,
  run(push, { registry, sim, clock }) {
    const digest = registry.push(push.image, { ...push, at: clock.now });
    sim.onImagePushed(registry.expand(push.image));
    return push.digest ? undefined : `digest ${digest.slice(0, 19)}…`;
  },
});
