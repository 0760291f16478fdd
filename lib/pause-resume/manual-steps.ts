/**
 * Observing and applying a manual pause or resume through the ports, shared by `guard pause|resume`
 * and Slack's *Keep running until…*: the guard's pause marker lives in the ledger (or, from older
 * runs, in the `apprunner-guard:paused-by` tag), and both must see it and remove it the same way.
 */
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { PauseMarkerStore } from '../core/ports/pause-markers.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { TAGS } from '../tags.ts';
import type { ManualStep } from './manual.ts';

/** A service as a manual plan reads it: its tags, with a ledger marker shown as the tag it was. */
export interface ManualView<S extends { arn: string; tags: Record<string, string> }> {
  service: S;
  /** The marker found in the ledger, when there is one: removed from there, not untagged. */
  ledgerMarker: string | undefined;
}

/**
 * Adds the guard's ledger marker of `service` (when it has no marker tag) to what the planner
 * reads. `markers` may be absent (a port without a ledger, such as the sandbox's direct mode).
 */
export async function withLedgerMarker<S extends { arn: string; tags: Record<string, string> }>(
  service: S,
  markers: PauseMarkerStore | undefined,
): Promise<ManualView<S>> {
  if (!markers || !parseServiceArn(service.arn) || service.tags[TAGS.pausedBy])
    return { service, ledgerMarker: undefined };
  const ledgerMarker = await markers.get(service.arn);
  return {
    service: ledgerMarker
      ? { ...service, tags: { ...service.tags, [TAGS.pausedBy]: ledgerMarker } }
      : service,
    ledgerMarker,
  };
}

/** Makes one planned call: a marker that was in the ledger is removed there, the rest untagged. */
export async function applyManualStep(
  step: ManualStep,
  arn: string,
  ports: { appRunner: AppRunnerPort; markers: PauseMarkerStore | undefined },
  ledgerMarker: string | undefined,
): Promise<void> {
  const { appRunner, markers } = ports;
  if (step.call === 'tag') await appRunner.tagService(arn, step.tags);
  else if (step.call === 'untag') {
    const fromLedger =
      ledgerMarker !== undefined && markers !== undefined && step.keys.includes(TAGS.pausedBy);
    const keys = fromLedger ? step.keys.filter((k) => k !== TAGS.pausedBy) : step.keys;
    if (fromLedger) await markers.remove(arn);
    if (keys.length > 0) await appRunner.untagService(arn, keys);
  } else if (step.call === 'pause') await appRunner.pauseService(arn);
  else await appRunner.resumeService(arn);
}
