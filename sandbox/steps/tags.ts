import * as z from 'zod';
import { serviceAddress, tagMap } from '../scenario-fields.ts';
import { defineStep, liveServiceArn } from './step-kind.ts';

/** TagResource by hand. */
export const tagStep = defineStep({
  name: 'tag',
  schema: z.object({ service: serviceAddress, tags: tagMap }).strict(),
  describe: (tag) =>
    `tag ${tag.service}: ${Object.entries(tag.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  run(tag, ctx) {
    ctx.sim.call('TagResource', {
      ResourceArn: liveServiceArn(ctx, tag.service),
      Tags: Object.entries(tag.tags).map(([Key, Value]) => ({ Key, Value })),
    });
    return undefined;
  },
});

/** UntagResource by hand. */
export const untagStep = defineStep({
  name: 'untag',
  schema: z.object({ service: serviceAddress, keys: z.array(z.string()).min(1) }).strict(),
  describe: (untag) => `untag ${untag.service}: ${untag.keys.join(', ')}`,
  run(untag, ctx) {
    ctx.sim.call('UntagResource', { ResourceArn: liveServiceArn(ctx, untag.service), TagKeys: untag.keys });
    return undefined;
  },
});
