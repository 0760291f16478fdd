import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { describeEvent } from '../bus.ts';
import type { BusEvent } from '../eventbridge.ts';
import { defineStep } from './step-kind.ts';

/** Puts an event on the bus (inline, or `{ file }` relative to the scenario file). */
export const eventStep = defineStep({
  name: 'event',
  schema: z.union([z.object({ file: z.string().min(1) }).strict(), z.record(z.string(), z.unknown())]),
  describe: (event) => `put an event on the bus: ${describeEvent(event as unknown as BusEvent)}`,
  run(event, { bus }) {
    bus.put(event as unknown as BusEvent, 'scenario');
    return undefined;
  },
  load(event, { dir }) {
    const ev = event as { file?: unknown };
    if (typeof ev.file !== 'string' || Object.keys(ev).length !== 1) return event;
    try {
      return JSON.parse(readFileSync(resolve(dir, ev.file), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`cannot read event file ${ev.file}: ${(error as Error).message}`);
    }
  },
});
