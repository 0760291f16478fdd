import * as z from 'zod';
import { ALARM_STATE_VALUES } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/**
 * Changes a CloudWatch alarm's state: the stand-in emits `CloudWatch Alarm State Change` through
 * the deployed rules (nothing when the state is unchanged, as CloudWatch).
 */
export const alarmStep = defineStep({
  name: 'alarm',
  schema: z
    .object({
      name: z.string().min(1).max(255),
      state: z.enum(ALARM_STATE_VALUES),
      reason: z.string().max(1023).optional(),
    })
    .strict(),
  describe: (a) => `alarm ${a.name} → ${a.state}${a.reason ? ` (${a.reason})` : ''}`,
  run(a, { cloudwatch }) {
    const changed = cloudwatch.setState(a.name, a.state, a.reason ?? `Set by the scenario: ${a.state}`);
    return changed ? undefined : `already ${a.state}: no event`;
  },
});
