import * as z from 'zod';
import { moveAccount } from '../organizations.ts';
import { defineStep } from './step-kind.ts';

/** Moves an account of the scenario's organisation into another unit (`organizations:MoveAccount`). */
export const moveAccountStep = defineStep({
  name: 'move-account',
  schema: z
    .object({
      account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
      to: z.string().regex(/^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/, 'must be an OU id (ou-xxxx-xxxxxxxx)'),
    })
    .strict(),
  describe: (move) => `move account ${move.account} into ${move.to} (AWS Organizations)`,
  run(move, ctx) {
    moveAccount(ctx.organization, move.account, move.to);
    return undefined;
  },
});
