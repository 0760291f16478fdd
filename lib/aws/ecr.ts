import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { ImageDigestResolver } from '../core/ports/image-registry.ts';
import { parseImageIdentifier } from '../release/image.ts';
import { clientConfig } from './client-config.ts';
import { translatePortErrors } from './errors.ts';

export type { DigestResolution, ImageDigestResolver } from '../core/ports/image-registry.ts';

/** Creates the ECR client once per container. */
export function createEcrClient(): ECRClient {
  return new ECRClient(clientConfig());
}

const NOT_FOUND = new Set(['ImageNotFoundException', 'RepositoryNotFoundException']);

/**
 * The ECR adapter.
 *
 * - `…@sha256:<hex>`: the digest is in the identifier, no call is made (works for every registry).
 * - Private ECR `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`: `ecr:DescribeImages` on
 *   that tag. A tag or repository that no longer exists is `unresolvable`, not an error.
 * - ECR Public tags (`public.ecr.aws/<alias>/<repo>:<tag>`) are `unresolvable`: the ECR Public API
 *   (`ecr-public:DescribeImages`) answers only in us-east-1 and only for repositories of the
 *   caller's own registry, so it cannot resolve most public images, and resolving through the
 *   registry's HTTP API would need internet egress from the function. Configure public images by
 *   digest, or mirror them to private ECR (pull-through cache), to get rollback protection.
 * - Private ECR in another region than the guard's: `unresolvable` (the guard's role and client are
 *   regional, and App Runner pulls private images from its own region).
 *
 * Throttling, 5xx and access errors propagate for the handler stack to classify.
 */
export function createImageDigestResolver(
  client: ECRClient,
  options: { region: string },
): ImageDigestResolver {
  return translatePortErrors({
    async resolve(imageIdentifier, repositoryType) {
      let ref: ReturnType<typeof parseImageIdentifier>;
      try {
        ref = parseImageIdentifier(imageIdentifier);
      } catch (error) {
        return { kind: 'unresolvable', reason: (error as Error).message };
      }
      if (ref.digest) {
        return { kind: 'resolved', digest: ref.digest, repository: ref.repository, lookedUp: false };
      }
      if (repositoryType === 'ECR_PUBLIC' || ref.registry === 'ecr-public') {
        return {
          kind: 'unresolvable',
          repository: ref.repository,
          reason: `${imageIdentifier} is an ECR Public tag: the guard can only resolve private ECR tags to a digest (configure the image by digest, or mirror it to private ECR)`,
        };
      }
      if (!ref.ecr) {
        return {
          kind: 'unresolvable',
          repository: ref.repository,
          reason: `${imageIdentifier} is not in a private ECR registry the guard can query`,
        };
      }
      if (ref.ecr.region !== options.region) {
        return {
          kind: 'unresolvable',
          repository: ref.repository,
          reason: `${imageIdentifier} is in ${ref.ecr.region}; the guard resolves images in ${options.region} only`,
        };
      }
      try {
        const out = await client.send(
          new DescribeImagesCommand({
            registryId: ref.ecr.account,
            repositoryName: ref.ecr.repositoryName,
            imageIds: [{ imageTag: ref.tag }],
          }),
        );
        const image = out.imageDetails?.[0];
        if (!image?.imageDigest) {
          return {
            kind: 'unresolvable',
            repository: ref.repository,
            reason: `ECR has no image ${imageIdentifier}`,
          };
        }
        return {
          kind: 'resolved',
          digest: image.imageDigest,
          repository: ref.repository,
          ...(image.imagePushedAt ? { pushedAt: image.imagePushedAt.toISOString() } : {}),
          lookedUp: true,
        };
      } catch (error) {
        if (NOT_FOUND.has((error as Error).name)) {
          return {
            kind: 'unresolvable',
            repository: ref.repository,
            reason: `ECR has no image ${imageIdentifier} (${(error as Error).name})`,
          };
        }
        throw error;
      }
    },
  });
}
