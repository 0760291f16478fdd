import {
  paginateGetResources,
  type ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import type { ServiceTagsPort, TaggedService } from '../core/ports/service-tags.ts';
import { tagsToRecord } from '../tags.ts';
import { translatePortErrors } from './errors.ts';

export type { ServiceTagsPort, TaggedService } from '../core/ports/service-tags.ts';

/**
 * Bulk tag reads through the Resource Groups Tagging API (`tag:GetResources`): its reads cover every
 * resource type, App Runner services included (`ResourceTypeFilters: ["apprunner:service"]`), up to
 * 100 per page with all their tags. The tagging API has its own request rate, apart from App
 * Runner's, so a fleet run spends App Runner's rate on the pauses alone.
 */
export function createServiceTagsReader(client: ResourceGroupsTaggingAPIClient): ServiceTagsPort {
  return translatePortErrors({
    async listServicesTagged(key) {
      const out: TaggedService[] = [];
      const pages = paginateGetResources(
        { client },
        { ResourceTypeFilters: ['apprunner:service'], TagFilters: [{ Key: key }], ResourcesPerPage: 100 },
      );
      for await (const page of pages) {
        for (const r of page.ResourceTagMappingList ?? []) {
          if (r.ResourceARN) out.push({ arn: r.ResourceARN, tags: tagsToRecord(r.Tags) });
        }
      }
      return out;
    },
  });
}
