import { stableHex } from './prng.ts';

/** One image in the registry: a digest, the repository it lives in, and whether it is broken. */
export interface ImageRecord {
  repository: string;
  digest: string;
  /** The scenario's name for the digest (`good-v1`), when it gave one. */
  label?: string;
  /** A deployment of this image fails its health check. */
  bad: boolean;
  /**
   * It deploys and passes its health check, but fails users: the service's default alarm (5xx
   * share) goes to ALARM a few simulated minutes after it starts serving.
   */
  faulty: boolean;
  pushedAt: number;
}

/** A parsed image identifier. */
export interface ImageRef {
  /** `<account>.dkr.ecr.<region>.amazonaws.com` or `public.ecr.aws/<alias>` */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  kind: 'ECR' | 'ECR_PUBLIC';
}

const PRIVATE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9][a-z0-9._/-]*)$/;
const PUBLIC = /^public\.ecr\.aws\/([a-z0-9._-]+)\/([a-z0-9][a-z0-9._/-]*)$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Parses `…/repo:tag` or `…/repo@sha256:<hex>`; `undefined` when it is not an ECR image. */
export function parseImage(identifier: string): ImageRef | undefined {
  const at = identifier.indexOf('@');
  let name = identifier;
  let tag: string | undefined;
  let digest: string | undefined;
  if (at >= 0) {
    name = identifier.slice(0, at);
    digest = identifier.slice(at + 1);
    if (!DIGEST.test(digest)) return undefined;
  } else {
    const colon = identifier.lastIndexOf(':');
    if (colon > identifier.lastIndexOf('/')) {
      name = identifier.slice(0, colon);
      tag = identifier.slice(colon + 1);
      if (!/^[\w][\w.-]{0,127}$/.test(tag)) return undefined;
    } else tag = 'latest';
  }
  const p = PRIVATE.exec(name);
  if (p) {
    const registry = `${p[1]}.dkr.ecr.${p[2]}.amazonaws.com`;
    return {
      registry,
      repository: p[3]!,
      kind: 'ECR',
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
    };
  }
  const q = PUBLIC.exec(name);
  if (q) {
    return {
      registry: `public.ecr.aws/${q[1]}`,
      repository: q[2]!,
      kind: 'ECR_PUBLIC',
      ...(tag ? { tag } : {}),
      ...(digest ? { digest } : {}),
    };
  }
  return undefined;
}

/** The digest a scenario label stands for: itself when it is already `sha256:<hex>`. */
export function digestOf(label: string): string {
  return DIGEST.test(label) ? label : `sha256:${stableHex(`sandbox-image:${label}`)}`;
}

/**
 * The scenario's image registry: mutable tags (`repo:tag`) pointing at digests, digests marked
 * good or bad. App Runner resolves tags through it at deployment time; ECR `DescribeImages`
 * answers from it.
 */
export class ImageRegistry {
  private readonly tags = new Map<string, string>();
  private readonly images = new Map<string, ImageRecord>();

  constructor(private readonly defaultRegistry: string) {}

  /**
   * Expands the scenario's short forms into a full identifier: `payments:latest` →
   * `<account>.dkr.ecr.<region>.amazonaws.com/payments:latest`, `payments@good-v1` →
   * `…/payments@sha256:<digest of good-v1>`. Full identifiers are returned unchanged.
   */
  expand(image: string): string {
    const at = image.indexOf('@');
    const name = at >= 0 ? image.slice(0, at) : image;
    const suffix = at >= 0 ? `@${digestOf(image.slice(at + 1))}` : '';
    const full = name.includes('/') && name.includes('.') ? name : `${this.defaultRegistry}/${name}`;
    return `${full}${suffix}`;
  }

  /** Points `repo:tag` at a digest (a push); returns the digest. */
  push(image: string, options: { digest?: string; bad?: boolean; faulty?: boolean; at: number }): string {
    const ref = parseImage(this.expand(image));
    if (!ref?.tag) throw new Error(`cannot push "${image}": give repo:tag`);
    const label = options.digest ?? `${ref.repository}-${ref.tag}-${this.images.size + 1}`;
    const digest = digestOf(label);
    const existing = this.images.get(digest);
    this.images.set(digest, {
      repository: ref.repository,
      digest,
      ...(DIGEST.test(label) ? {} : { label }),
      bad: options.bad ?? existing?.bad ?? false,
      faulty: options.faulty ?? existing?.faulty ?? false,
      pushedAt: existing?.pushedAt ?? options.at,
    });
    this.tags.set(`${ref.registry}/${ref.repository}:${ref.tag}`, digest);
    return digest;
  }

  /** Marks a digest (by label or `sha256:`) good or bad. */
  mark(label: string, bad: boolean): void {
    const record = this.images.get(digestOf(label));
    if (!record) throw new Error(`unknown image digest "${label}"`);
    record.bad = bad;
  }

  /** The image an identifier names right now; `undefined` when the tag or digest does not exist. */
  resolve(identifier: string): ImageRecord | undefined {
    const ref = parseImage(identifier);
    if (!ref) return undefined;
    const digest = ref.digest ?? this.tags.get(`${ref.registry}/${ref.repository}:${ref.tag}`);
    const record = digest ? this.images.get(digest) : undefined;
    return record && record.repository === ref.repository ? record : undefined;
  }

  /** Tags currently pointing at a digest within a repository. */
  tagsOf(registry: string, repository: string, digest: string): string[] {
    const prefix = `${registry}/${repository}:`;
    return [...this.tags]
      .filter(([k, d]) => k.startsWith(prefix) && d === digest)
      .map(([k]) => k.slice(prefix.length));
  }

  /** Repositories of a registry. */
  hasRepository(registry: string, repository: string): boolean {
    return [...this.tags.keys()].some((k) => k.startsWith(`${registry}/${repository}:`));
  }

  /** Looks a digest up. */
  byDigest(digest: string): ImageRecord | undefined {
    return this.images.get(digest);
  }

  /** A short human name: the label, or the first 12 hex digits. */
  nameOf(digest: string | undefined): string {
    if (!digest) return '(none)';
    return this.images.get(digest)?.label ?? digest.slice(0, 19);
  }

  /** Every image, for the report. */
  list(): ImageRecord[] {
    return [...this.images.values()];
  }
}

/** `…/payments@sha256:ab…` → `payments@good-v1`; `…/payments:latest` → `payments:latest`. */
export function imageLabel(identifier: string, registry: ImageRegistry): string {
  const ref = parseImage(identifier);
  if (!ref) return identifier;
  if (ref.digest) return `${ref.repository}@${registry.nameOf(ref.digest)}`;
  return `${ref.repository}:${ref.tag}`;
}
