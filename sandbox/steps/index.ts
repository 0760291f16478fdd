import type * as z from 'zod';
import type { ImageRegistry } from '../images.ts';
import { alarmStep } from './alarm.ts';
import { deleteStep, pauseStep, resumeStep } from './by-hand.ts';
import { createServiceStep } from './create-service.ts';
import { deployStep } from './deploy.ts';
import { eventStep } from './event.ts';
import { failNextStep } from './fail-next.ts';
import { guardStep } from './guard.ts';
import { invokeStep } from './invoke.ts';
import { markImageStep } from './mark-image.ts';
import { moveAccountStep } from './organization.ts';
import { pushStep } from './push.ts';
import { slackActionStep } from './slack-action.ts';
import type { LoadContext, StepContext, StepKind } from './step-kind.ts';
import { tagStep, untagStep } from './tags.ts';
import { updateStep } from './update.ts';

export type { LoadContext, SlackActionRecord, StepContext, StepKind } from './step-kind.ts';
export { defineStep, liveServiceArn } from './step-kind.ts';

/**
 * The step registry: every kind of scenario step, in the order the scenario format lists them
 * (error messages name them in this order). Adding a step kind is one file in this folder and
 * one entry here.
 */
export const STEP_KINDS = [
  pushStep,
  markImageStep,
  deployStep,
  updateStep,
  createServiceStep,
  pauseStep,
  resumeStep,
  deleteStep,
  tagStep,
  untagStep,
  failNextStep,
  eventStep,
  invokeStep,
  alarmStep,
  guardStep,
  slackActionStep,
  moveAccountStep,
] as const;

type Kind = (typeof STEP_KINDS)[number];

/** The name of a step kind (`push`, `deploy`, …). */
export type StepKindName = Kind['name'];

/** Every step kind's name, in registry order. */
export const STEP_KIND_NAMES: readonly StepKindName[] = STEP_KINDS.map((k) => k.name);

/** The scenario schema's fields for the step kinds: each kind's key, optional. */
export type StepShape = { [K in Kind as K['name']]: z.ZodOptional<K['schema']> };

/** The fields a step's schema gets from the registry (one per kind; the scenario checks that one is given). */
export function stepShape(): StepShape {
  return Object.fromEntries(STEP_KINDS.map((k) => [k.name, k.schema.optional()])) as StepShape;
}

/** A validated step's action fields (one of them is present). */
export type StepActions = { [K in Kind as K['name']]?: z.output<K['schema']> };

/** The kind of a validated step and its value, or undefined for a step without an action. */
function actionOf(step: StepActions): { kind: StepKind; value: unknown } | undefined {
  const fields = step as Record<string, unknown>;
  for (const kind of STEP_KINDS as readonly StepKind[]) {
    const value = fields[kind.name];
    if (value) return { kind, value };
  }
  return undefined;
}

/** The step kinds a step gives a value for (a valid step gives exactly one). */
export function presentStepKinds(step: Record<string, unknown>): StepKindName[] {
  return STEP_KIND_NAMES.filter((name) => step[name] !== undefined);
}

/** The timeline text of a step, before it runs. */
export function describeStep(step: StepActions, registry: ImageRegistry): string {
  const action = actionOf(step);
  return action ? action.kind.describe(action.value, registry) : 'step';
}

/** Runs a step; resolves to the extra timeline text its kind returns. */
export async function runStep(step: StepActions, ctx: StepContext): Promise<string | undefined> {
  const action = actionOf(step);
  return action ? action.kind.run(action.value, ctx) : undefined;
}

/** Lets each step kind complete its value as the scenario file is loaded (in place). */
export function loadStep(step: StepActions, ctx: LoadContext): void {
  const action = actionOf(step);
  if (action?.kind.load)
    (step as Record<string, unknown>)[action.kind.name] = action.kind.load(action.value, ctx);
}
