import * as z from 'zod';
import { parseImage } from '../images.ts';
import { codeSource, serviceName, tagMap } from '../scenario-fields.ts';
import { defineStep } from './step-kind.ts';

/** CreateService from an image or a code repository, optionally made to fail. */
export const createServiceStep = defineStep({
  name: 'createService',
  schema: z
    .object({
      name: serviceName,
      image: z.string().min(1).optional(),
      code: codeSource.optional(),
      autoDeploy: z.boolean().optional(),
      tags: tagMap.optional(),
      fail: z.boolean().optional(),
    })
    .strict(),
  describe: (c) =>
    `create service ${c.name} from ${c.image ?? c.code?.repositoryUrl}${c.fail ? ' (creation will fail)' : ''}`,
  run(c, { sim, registry }) {
    if (c.fail) sim.failCreation(c.name);
    const identifier = c.image ? registry.expand(c.image) : undefined;
    sim.call('CreateService', {
      ServiceName: c.name,
      SourceConfiguration: {
        ...(identifier
          ? {
              ImageRepository: {
                ImageIdentifier: identifier,
                ImageRepositoryType: parseImage(identifier)?.kind ?? 'ECR',
              },
            }
          : {
              CodeRepository: {
                RepositoryUrl: c.code!.repositoryUrl,
                SourceCodeVersion: { Type: 'BRANCH', Value: c.code!.branch ?? 'main' },
              },
            }),
        AutoDeploymentsEnabled: c.autoDeploy ?? false,
      },
      Tags: Object.entries(c.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    });
    return undefined;
  },
});
