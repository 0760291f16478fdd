import { defineJob } from '../core/define-job.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { type IgnoredImageEvent, type ImagePushEvent, imagePushTrigger } from '../events/ecr.ts';
import { createFailureReporter } from '../report-failure.ts';
import { type FixForwardPorts, type FixForwardSettings, handleImagePush } from './release.ts';

/** What the fix-forward job runs with (built once per container by its function file). */
export interface FixForwardJobDeps {
  /** The guard's targets: pushes to registries elsewhere are rejected. */
  targets: TargetCheck;
  ports: FixForwardPorts;
  settings: FixForwardSettings;
}

/**
 * Fix forward: a push of a new digest to the tag a pinned service followed → release the guard's
 * pin, so App Runner deploys the fix (docs/architecture.md).
 */
export const fixForwardJob = defineJob<ImagePushEvent | IgnoredImageEvent, FixForwardJobDeps>({
  job: 'fix-forward',
  parse: (raw, deps) => imagePushTrigger(deps.targets)(raw),
  run: (event, deps) => handleImagePush(event, deps.ports, deps.settings),
  reportFailure: (event, error, deps) =>
    createFailureReporter(deps.ports.publisher, 'fix-forward', deps.settings.dryRun, (e: typeof event) => ({
      trigger: e.eventId,
    }))(event, error),
});

/** Builds the fix-forward Lambda handler from its dependencies. */
export const createHandler = fixForwardJob.createHandler;
