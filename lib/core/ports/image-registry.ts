/** What resolving an image identifier to a digest found. */
export type DigestResolution =
  | {
      kind: 'resolved';
      digest: string;
      /** The identifier without tag or digest. */
      repository: string;
      /** When the registry received the image, if it said (ECR `imagePushedAt`). */
      pushedAt?: string;
      /** `false` when the identifier already named the digest and no call was made. */
      lookedUp: boolean;
    }
  | { kind: 'unresolvable'; repository?: string; reason: string };

/** Port: resolves the image a service is configured with to the digest it names right now. */
export interface ImageDigestResolver {
  resolve(imageIdentifier: string, repositoryType?: 'ECR' | 'ECR_PUBLIC'): Promise<DigestResolution>;
}
