import { imagePushEvent } from '../ecr.ts';
import { imageSchema } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/**
 * Pushes an image tag (ECR): ECR's `ECR Image Action` event goes on the bus through the deployed
 * rules, then App Runner's automatic deployments of that exact tag start.
 */
export const pushStep = defineStep({
  name: 'push',
  schema: imageSchema,
  describe: (push) =>
    `push ${push.image} → ${push.digest ?? '(new digest)'}${push.bad ? ' (bad image)' : ''}${push.faulty ? ' (faulty: passes its health check, fails users)' : ''}`,
  run(push, { registry, sim, clock, bus }) {
    const digest = registry.push(push.image, { ...push, at: clock.now });
    const identifier = registry.expand(push.image);
    const event = imagePushEvent({ identifier, digest, at: clock.now });
    if (event) bus.put(event, 'ecr');
    sim.onImagePushed(identifier);
    return push.digest ? undefined : `digest ${digest.slice(0, 19)}…`;
  },
});
