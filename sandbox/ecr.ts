import { ApiError, type HttpRequest, type HttpResponse, jsonResponse, parseJsonBody } from './http.ts';
import type { ImageRecord, ImageRegistry } from './images.ts';

/**
 * ECR stand-in (AWS JSON 1.1, `AmazonEC2ContainerRegistry_V20150921.<Operation>`):
 * `DescribeImages` and `BatchGetImage` answered from the scenario's image registry.
 */
export class EcrStandIn {
  constructor(
    private readonly registry: () => ImageRegistry,
    private readonly where: () => { account: string; region: string },
  ) {}

  async dispatch(operation: string, req: HttpRequest): Promise<HttpResponse> {
    const input = parseJsonBody(req);
    if (operation === 'DescribeImages') return jsonResponse(this.describeImages(input), '1.1');
    if (operation === 'BatchGetImage') return jsonResponse(this.batchGetImage(input), '1.1');
    throw new ApiError('InvalidParameterException', `The sandbox does not simulate ECR ${operation}`);
  }

  private scope(input: Record<string, unknown>) {
    const { account, region } = this.where();
    const registryId = typeof input.registryId === 'string' ? input.registryId : account;
    const repositoryName = input.repositoryName;
    if (typeof repositoryName !== 'string' || repositoryName === '') {
      throw new ApiError('InvalidParameterException', 'repositoryName is required');
    }
    const host = `${registryId}.dkr.ecr.${region}.amazonaws.com`;
    if (!this.registry().hasRepository(host, repositoryName)) {
      throw new ApiError(
        'RepositoryNotFoundException',
        `The repository with name '${repositoryName}' does not exist in the registry with id '${registryId}'`,
      );
    }
    return { registryId, repositoryName, host };
  }

  private lookup(host: string, repositoryName: string, id: { imageTag?: unknown; imageDigest?: unknown }) {
    const reg = this.registry();
    if (typeof id.imageDigest === 'string') {
      const r = reg.byDigest(id.imageDigest);
      return r && r.repository === repositoryName ? r : undefined;
    }
    if (typeof id.imageTag === 'string') return reg.resolve(`${host}/${repositoryName}:${id.imageTag}`);
    return undefined;
  }

  private detail(r: ImageRecord, registryId: string, host: string) {
    return {
      registryId,
      repositoryName: r.repository,
      imageDigest: r.digest,
      imageTags: this.registry().tagsOf(host, r.repository, r.digest),
      imageSizeInBytes: 52_428_800,
      imagePushedAt: r.pushedAt / 1000,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    };
  }

  private describeImages(input: Record<string, unknown>) {
    const { registryId, repositoryName, host } = this.scope(input);
    const ids = Array.isArray(input.imageIds)
      ? (input.imageIds as Array<Record<string, unknown>>)
      : undefined;
    if (!ids) {
      const all = this.registry()
        .list()
        .filter((r) => r.repository === repositoryName);
      return { imageDetails: all.map((r) => this.detail(r, registryId, host)) };
    }
    const details = ids.map((id) => {
      const r = this.lookup(host, repositoryName, id);
      if (!r) {
        throw new ApiError(
          'ImageNotFoundException',
          `The image with imageId {imageDigest:'${String(id.imageDigest ?? 'null')}', imageTag:'${String(id.imageTag ?? 'null')}'} does not exist within the repository with name '${repositoryName}' in the registry with id '${registryId}'`,
        );
      }
      return this.detail(r, registryId, host);
    });
    return { imageDetails: details };
  }

  private batchGetImage(input: Record<string, unknown>) {
    const { registryId, repositoryName, host } = this.scope(input);
    const ids = Array.isArray(input.imageIds) ? (input.imageIds as Array<Record<string, unknown>>) : [];
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const r = this.lookup(host, repositoryName, id);
      if (!r) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: 'Requested image not found',
        });
        continue;
      }
      images.push({
        registryId,
        repositoryName,
        imageId: {
          imageDigest: r.digest,
          ...(typeof id.imageTag === 'string' ? { imageTag: id.imageTag } : {}),
        },
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        }),
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      });
    }
    return { images, failures };
  }
}
