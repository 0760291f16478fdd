import type { Tags } from '../../tags.ts';

/** A service found by its tags, with all of them. */
export interface TaggedService {
  arn: string;
  tags: Tags;
}

/**
 * Port: bulk tag reads of App Runner services in one account and region (the Resource Groups
 * Tagging API's `GetResources`, filtered to `apprunner:service`). One paginated call returns up to
 * 100 services with every tag, where App Runner's own `ListTagsForResource` needs one call per
 * service: a fleet run reads the tags of 300 services in 3 calls instead of 300 App Runner calls.
 */
export interface ServiceTagsPort {
  /** Every App Runner service carrying the tag `key` (any value), with all its tags. */
  listServicesTagged(key: string): Promise<TaggedService[]>;
}
