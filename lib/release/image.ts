/**
 * Container image identifiers as App Runner holds them (`ImageRepository.ImageIdentifier`):
 * `<registry>/<repo>:<tag>`, `<registry>/<repo>` (tag `latest`) or `<registry>/<repo>@sha256:<hex>`.
 * Pure parsing: the ECR adapter and the planners share it.
 */

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const PRIVATE_ECR = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;
const PUBLIC_ECR = /^public\.ecr\.aws\/([^/]+)\/(.+)$/;

/** An image identifier split into its parts. */
export interface ImageRef {
  identifier: string;
  /** The identifier without tag or digest: what a digest pin is built on. */
  repository: string;
  tag?: string;
  digest?: string;
  registry: 'ecr' | 'ecr-public' | 'other';
  /** Private ECR coordinates, when the repository is one. */
  ecr?: { account: string; region: string; repositoryName: string };
}

/** True for `sha256:` followed by 64 lowercase hex digits. */
export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/**
 * Splits an image identifier. A `@` part must be a sha256 digest; without tag or digest the tag is
 * `latest`, as a registry reads it. A `:` before the last `/` is a registry port, not a tag.
 *
 * @throws Error when the identifier is empty or its digest part is not a sha256 digest.
 */
export function parseImageIdentifier(identifier: string): ImageRef {
  if (identifier.trim() === '' || /\s/.test(identifier))
    throw new Error(`not an image identifier: "${identifier}"`);
  let repository: string;
  let tag: string | undefined;
  let digest: string | undefined;
  const at = identifier.indexOf('@');
  if (at >= 0) {
    repository = identifier.slice(0, at);
    digest = identifier.slice(at + 1);
    if (!isDigest(digest)) throw new Error(`not a sha256 digest in image identifier: "${identifier}"`);
  } else {
    const colon = identifier.lastIndexOf(':');
    if (colon > identifier.lastIndexOf('/')) {
      repository = identifier.slice(0, colon);
      tag = identifier.slice(colon + 1);
    } else {
      repository = identifier;
      tag = 'latest';
    }
  }
  const priv = PRIVATE_ECR.exec(repository);
  if (priv) {
    return {
      identifier,
      repository,
      ...(tag === undefined ? {} : { tag }),
      ...(digest === undefined ? {} : { digest }),
      registry: 'ecr',
      ecr: { account: priv[1]!, region: priv[2]!, repositoryName: priv[3]! },
    };
  }
  return {
    identifier,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
    registry: PUBLIC_ECR.test(repository) ? 'ecr-public' : 'other',
  };
}

/**
 * The identifier that pins `repository` to `digest`: `<repository>@sha256:…`. The only image
 * identifier the guard ever writes: rolling back to a tag that has since moved is no rollback.
 *
 * @throws Error when `digest` is not a sha256 digest or `repository` carries a tag or digest.
 */
export function pinnedImage(repository: string, digest: string): string {
  if (!isDigest(digest)) throw new Error(`refusing to pin to "${digest}": not a sha256 digest`);
  if (repository.includes('@') || repository.slice(repository.lastIndexOf('/') + 1).includes(':')) {
    throw new Error(`refusing to pin "${repository}": repository carries a tag or digest`);
  }
  return `${repository}@${digest}`;
}

/** True when the identifier names an image by digest (`…@sha256:<hex>`), never by a tag. */
export function isPinnedImage(identifier: string): boolean {
  const at = identifier.indexOf('@');
  return at > 0 && isDigest(identifier.slice(at + 1));
}
