import { InvalidEventError } from '../core/errors.ts';
import type { TargetCheck } from '../core/ports/targets.ts';
import { parseServiceArn, type ServiceRef } from './app-runner.ts';
import { isRecord, parseEnvelope } from './envelope.ts';

/**
 * `source` and `detail-type` of the tag change events EventBridge sends for resources that
 * support tagging (Tag Editor user guide, "Tag change events"). Whether App Runner services emit
 * them is not documented: the guard's backstop pass does not rely on them.
 */
export const TAG_SOURCE = 'aws.tag';
export const TAG_CHANGE = 'Tag Change on Resource';

/** At most this many changed keys are kept (a resource has at most 50 tags). */
const MAX_KEYS = 50;

/** A service's tags changed, as the bake window reads it. */
export interface TagChangeEvent {
  kind: 'tag-change';
  eventId: string;
  time: string;
  service: ServiceRef;
  /** The keys added, changed or removed. */
  changedKeys: string[];
}

/**
 * Validates a `Tag Change on Resource` event about an App Runner service. Strict on identity:
 * source, detail-type, the account and region (one of the guard's targets), `detail.service`
 * (`apprunner`), and the one resource, an App Runner service ARN of that account and region.
 * The tags it carries are not trusted (events come in any order): the job reads them live.
 *
 * @throws InvalidEventError (terminal) naming the offending field.
 */
export function parseTagChange(raw: unknown, options: { targets: TargetCheck }): TagChangeEvent {
  const envelope = parseEnvelope(raw, {
    source: TAG_SOURCE,
    detailType: TAG_CHANGE,
    targets: options.targets,
  });
  const { id: eventId, account, region, detail: d } = envelope;
  if (d.service !== 'apprunner') throw new InvalidEventError('detail.service', 'must be apprunner');
  const resources = (raw as { resources?: unknown }).resources;
  if (!Array.isArray(resources) || resources.length !== 1 || typeof resources[0] !== 'string') {
    throw new InvalidEventError('resources', 'must name the App Runner service ARN');
  }
  const service = parseServiceArn(resources[0]);
  if (!service) throw new InvalidEventError('resources', 'is not an App Runner service ARN');
  if (service.account !== account || service.region !== region) {
    throw new InvalidEventError('resources', 'names another account or region than the event');
  }
  const keys = d['changed-tag-keys'];
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
    throw new InvalidEventError('detail.changed-tag-keys', 'must be a list of tag keys');
  }
  if (d.tags !== undefined && !isRecord(d.tags)) {
    throw new InvalidEventError('detail.tags', 'is not a JSON object');
  }
  return {
    kind: 'tag-change',
    eventId,
    time: new Date(Date.parse(envelope.time)).toISOString(),
    service,
    changedKeys: (keys as string[]).slice(0, MAX_KEYS),
  };
}
