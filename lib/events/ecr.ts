import { InvalidEventError } from '../core/errors.ts';
import type { Parsed } from '../core/handler-stack.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { parseEnvelope, requiredString } from './envelope.ts';

/** `source` and `detail-type` of ECR's image events (the ECR user guide's "Event for a completed image push"). */
export const ECR_SOURCE = 'aws.ecr';
export const ECR_IMAGE_ACTION = 'ECR Image Action';

/** A successful push of a tagged image to a private ECR repository. */
export interface ImagePushEvent {
  eventId: string;
  time: string;
  /** The registry's account and region. */
  account: string;
  region: string;
  repositoryName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the repository as image identifiers name it. */
  repository: string;
  tag: string;
  digest: string;
}

/** What a push event that is not a tagged successful push is: parsed, but nothing for fix forward. */
export interface IgnoredImageEvent {
  eventId: string;
  time: string;
  ignored: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
// ECR repository names: lowercase, digits, `._-/` separators; tags: 1–128 of `[\w.-]`.
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the repository part of an image identifier. */
export function ecrRepository(account: string, region: string, repositoryName: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}/${repositoryName}`;
}

/**
 * Validates ECR's `ECR Image Action` event (detail keys are kebab-case: `action-type`, `result`,
 * `repository-name`, `image-digest`, `image-tag`). Strict on identity: the source, detail-type,
 * account and region (one of the guard's targets), repository name and digest. A failed push, another action,
 * or a push by digest (no tag) parses to an ignored event: nothing follows it.
 *
 * @throws InvalidEventError (terminal) naming the offending field.
 */
export function parseImagePushEvent(
  raw: unknown,
  options: { targets: TargetCheck },
): ImagePushEvent | IgnoredImageEvent {
  const {
    id: eventId,
    time,
    account,
    region,
    detail: d,
  } = parseEnvelope(raw, {
    source: ECR_SOURCE,
    detailType: ECR_IMAGE_ACTION,
    targets: options.targets,
  });
  const str = requiredString;
  const action = str('detail.action-type', d['action-type']);
  const result = str('detail.result', d.result);
  if (action !== 'PUSH' || result !== 'SUCCESS') {
    return { eventId, time, ignored: `${action} ${result}: not a successful push` };
  }
  const repositoryName = str('detail.repository-name', d['repository-name']);
  if (!REPOSITORY_NAME.test(repositoryName) || repositoryName.length > 256)
    throw new InvalidEventError('detail.repository-name', 'is not an ECR repository name');
  const digest = str('detail.image-digest', d['image-digest']);
  if (!DIGEST.test(digest)) throw new InvalidEventError('detail.image-digest', 'is not a sha256 digest');
  const tag = d['image-tag'];
  if (tag === undefined || tag === '') {
    return { eventId, time, ignored: `a push of ${digest} by digest: no tag follows it` };
  }
  if (typeof tag !== 'string' || !TAG.test(tag)) {
    throw new InvalidEventError('detail.image-tag', 'is not an image tag');
  }
  return {
    eventId,
    time,
    account,
    region,
    repositoryName,
    repository: ecrRepository(account, region, repositoryName),
    tag,
    digest,
  };
}

/** Parser for functions triggered by ECR push events: idempotency key = EventBridge event `id`. */
export function imagePushTrigger(targets: TargetCheck) {
  return (raw: unknown): Parsed<ImagePushEvent | IgnoredImageEvent> => {
    const event = parseImagePushEvent(raw, { targets });
    return {
      key: event.eventId,
      input: event,
      logKeys:
        'ignored' in event
          ? { ignored: event.ignored }
          : { repository: event.repository, tag: event.tag, digest: event.digest },
    };
  };
}
