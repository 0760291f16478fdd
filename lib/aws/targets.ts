import { AppRunnerClient } from '@aws-sdk/client-apprunner';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { GuardConfig } from '../config.ts';
import { TerminalError } from '../core/errors.ts';
import type { AppRunnerPort } from '../core/ports/app-runner.ts';
import type { ImageDigestResolver } from '../core/ports/image-registry.ts';
import type { OrganizationPort } from '../core/ports/organization.ts';
import type { ServiceTagsPort } from '../core/ports/service-tags.ts';
import { type Target, type TargetRouter, targetLabel } from '../core/ports/targets.ts';
import { parseServiceArn } from '../events/app-runner.ts';
import { parseImageIdentifier } from '../release/image.ts';
import type { LiveTargets } from '../targets.ts';
import { createAppRunnerGateway } from './app-runner.ts';
import { clientConfig, fleetClientConfig } from './client-config.ts';
import { createImageDigestResolver } from './ecr.ts';
import { translateAwsError } from './errors.ts';
import { createGuardTargets } from './organizations.ts';
import { createExternalIdSource, createSsmClient } from './secrets.ts';
import { createServiceTagsReader } from './service-tags.ts';

type CredentialProvider = ReturnType<typeof fromTemporaryCredentials>;
type Credentials = Awaited<ReturnType<CredentialProvider>>;

/** What every SDK client of a target is built with. */
export type ClientOptions = ReturnType<typeof clientConfig> & {
  region: string;
  credentials?: CredentialProvider;
};

/** The ports of one target (account × region). */
export interface TargetPorts {
  appRunner: AppRunnerPort;
  /** App Runner for paced fleet work: throttling is left to the caller's pacer ({@link fleetClientConfig}). */
  fleetAppRunner: AppRunnerPort;
  images: ImageDigestResolver;
  serviceTags: ServiceTagsPort;
}

/** What {@link createTargetPorts} returns: the router, and ports that route each call by its ARN. */
export interface GuardTargetPorts {
  targets: TargetRouter;
  /**
   * Reads the accounts of the organisational units in `GUARD_TARGETS` when they were never read
   * or are older than 15 minutes (a no-op without units): run it before each event
   * (`prepareTargets`), since the parsers and the router answer from the last reading.
   */
  refresh(): Promise<void>;
  /** The ports of one target, created on first use and kept for the container's life. */
  portsFor(account: string, region: string): TargetPorts;
  /**
   * SDK client options (region, spoke credentials) for one target, for clients only some functions
   * bundle (CloudWatch for the bake window). Throws a terminal error outside the targets.
   */
  clientOptionsFor(account: string, region: string): ClientOptions;
  /** App Runner, each call sent to the target its service ARN names (`listServices`: the hub). */
  appRunner: AppRunnerPort;
  /** ECR, each image resolved in the target its registry is in (else through the hub). */
  images: ImageDigestResolver;
}

/** `arn:<partition>:iam::<account>:role/<prefix>-spoke-<region>`: the role infra/spoke creates. */
export function spokeRoleArn(prefix: string, target: Target, partition = 'aws'): string {
  return `arn:${partition}:iam::${target.account}:role/${prefix}-spoke-${target.region}`;
}

/** The partition of a region (the role ARN and the console hosts depend on it). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Credentials are renewed this long before they expire (a call must not start with stale ones). */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * Assumed-role credentials for one spoke, shared by its clients: one `AssumeRole` per hour per
 * target and container, however many clients use them. A refusal (no role there, a trust policy
 * that does not admit the hub, a wrong external id) is terminal for that target and says what to
 * fix; throttling or an STS outage stays retryable. A failure is not kept: the next call tries again.
 */
function spokeCredentials(
  target: Target,
  roleArn: string,
  externalId: string | (() => Promise<string>),
  hubRegion: string,
): CredentialProvider {
  const providerWith = (id: string) =>
    fromTemporaryCredentials({
      params: {
        RoleArn: roleArn,
        RoleSessionName: `apprunner-guard-${target.account}-${target.region}`.slice(0, 64),
        ExternalId: id,
        DurationSeconds: 3600,
      },
      // STS in the hub's region (a regional endpoint, close to the functions).
      clientConfig: { ...clientConfig(), region: hubRegion },
    });
  let assume: CredentialProvider | undefined =
    typeof externalId === 'string' ? providerWith(externalId) : undefined;
  const refused = (error: unknown) => {
    throw spokeAccessError(target, roleArn, error);
  };
  // An external id from SSM is read first (its failure names the parameter), then the role assumed.
  const assumeRole = (): Promise<Credentials> => {
    if (assume) return assume().catch(refused);
    return (externalId as () => Promise<string>)().then((id) => {
      assume ??= providerWith(id);
      return assume().catch(refused);
    });
  };
  let current: Promise<Credentials> | undefined;
  let expiresAt = 0;
  return async () => {
    if (current && Date.now() < expiresAt - RENEW_BEFORE_MS) return current;
    const attempt = assumeRole().then(
      (credentials) => {
        expiresAt = credentials.expiration?.getTime() ?? Date.now() + 15 * 60_000;
        return credentials;
      },
      (error: unknown) => {
        if (current === attempt) current = undefined;
        throw error;
      },
    );
    current = attempt;
    expiresAt = Number.POSITIVE_INFINITY;
    return attempt;
  };
}

/** An `AssumeRole` failure, named for on-call: which target, which role, what to check. */
function spokeAccessError(target: Target, roleArn: string, error: unknown): Error {
  const translated = translateAwsError(error);
  if (translated.kind !== 'terminal') return translated;
  const cause = error as Error;
  return new TerminalError(
    `cannot act in ${targetLabel(target)}: assuming ${roleArn} was refused (${cause.name}: ${cause.message}). Deploy the spoke stack there (infra/spoke/spoke.yml) or check its HubFunctionRoleArns and ExternalId`,
    {
      cause,
      fields: { account: target.account, region: target.region, roleArn, sdkError: cause.name },
    },
  );
}

/**
 * App Runner and ECR ports in one account and region for a human at a terminal (`guard … --account
 * <id> --region <r>`): with an `account`, through the spoke role there (`<stackName>-spoke-<region>`,
 * the external id), which must trust the caller (add the operators' role to the spoke's
 * HubFunctionRoleArns); without, with the caller's own credentials, as before.
 */
export function createServicePortsAt(options: {
  region: string;
  account?: string | undefined;
  /** The spoke roles' name prefix and external id (a value, or where to read it: `createExternalIdSource`). */
  spokes?: { roleNamePrefix: string; externalId: string | (() => Promise<string>) } | undefined;
}): { appRunner: AppRunnerPort; images: ImageDigestResolver } {
  const { region, account, spokes } = options;
  let credentials = {};
  if (account !== undefined) {
    if (!spokes) throw new Error('--account needs GUARD_STACK_NAME and GUARD_SPOKE_EXTERNAL_ID');
    const target = { account, region };
    credentials = {
      credentials: spokeCredentials(
        target,
        spokeRoleArn(spokes.roleNamePrefix, target, partitionOf(region)),
        spokes.externalId,
        region,
      ),
    };
  }
  const config = { ...clientConfig(), region, ...credentials };
  return {
    appRunner: createAppRunnerGateway(new AppRunnerClient(config)),
    images: createImageDigestResolver(new ECRClient(config), { region }),
  };
}

/**
 * The port factory for every job (docs/architecture.md, "Many accounts and regions"): App Runner,
 * ECR and tagging clients per target, created on first use and cached for the container's life.
 * The hub's own account and region use the function's own credentials; every other target the
 * spoke role there, assumed with the external id. Call once per container.
 *
 * An organisational unit in `GUARD_TARGETS` stands for its active accounts, read through AWS
 * Organizations (`organization`, by default a reader made on first use) at the first
 * {@link GuardTargetPorts.refresh} and every 15 minutes after.
 */
export function createTargetPorts(
  config: GuardConfig,
  options: { organization?: OrganizationPort } = {},
): GuardTargetPorts {
  const hub = { account: config.accountId, region: config.region };
  const targets: LiveTargets = createGuardTargets(config, options.organization);
  const cache = new Map<string, TargetPorts>();
  const outside = (account: string, region: string) =>
    new TerminalError(
      `${account}/${region} is not one of the guard's targets (GUARD_TARGETS): the guard does not act there`,
      { fields: { account, region } },
    );

  // The external id: as configured, or read from SSM once per container, starting now.
  const externalId = !config.spokes
    ? undefined
    : 'parameter' in config.spokes.externalId
      ? createExternalIdSource(createSsmClient(), config.spokes.externalId.parameter)
      : config.spokes.externalId.value;
  const optionsCache = new Map<string, ClientOptions>();
  // SDK client options for one target: its region, and the spoke role's credentials (one
  // credential provider per target, shared by every client made there).
  const clientOptionsFor = (account: string, region: string): ClientOptions => {
    // Checked on every call: an account that left an organisational unit is no target any more.
    if (!targets.isTarget(account, region)) throw outside(account, region);
    const key = `${account}/${region}`;
    const known = optionsCache.get(key);
    if (known) return known;
    const isHub = account === hub.account && region === hub.region;
    const spokes = config.spokes;
    if (!isHub && (!spokes || !externalId)) throw outside(account, region);
    const credentials =
      isHub || !spokes || !externalId
        ? {}
        : {
            credentials: spokeCredentials(
              { account, region },
              spokeRoleArn(spokes.roleNamePrefix, { account, region }, partitionOf(region)),
              externalId,
              hub.region,
            ),
          };
    const options: ClientOptions = { ...clientConfig(), region, ...credentials };
    optionsCache.set(key, options);
    return options;
  };

  const portsFor = (account: string, region: string): TargetPorts => {
    if (!targets.isTarget(account, region)) throw outside(account, region);
    const key = `${account}/${region}`;
    const known = cache.get(key);
    if (known) return known;
    const options = clientOptionsFor(account, region);
    const ports: TargetPorts = {
      appRunner: createAppRunnerGateway(new AppRunnerClient(options)),
      fleetAppRunner: createAppRunnerGateway(new AppRunnerClient({ ...options, ...fleetClientConfig() })),
      images: createImageDigestResolver(new ECRClient(options), { region }),
      serviceTags: createServiceTagsReader(new ResourceGroupsTaggingAPIClient(options)),
    };
    cache.set(key, ports);
    return ports;
  };

  const at = (arn: string): AppRunnerPort => {
    const ref = parseServiceArn(arn);
    if (!ref) throw new TerminalError(`${arn} is not an App Runner service ARN`, { fields: { arn } });
    return portsFor(ref.account, ref.region).appRunner;
  };
  // Every method names its service by ARN, and the ARN names the account and region to act in.
  const appRunner: AppRunnerPort = {
    describeService: async (arn) => at(arn).describeService(arn),
    listTags: async (arn) => at(arn).listTags(arn),
    listOperations: async (arn, max) => at(arn).listOperations(arn, max),
    listServices: () => portsFor(hub.account, hub.region).appRunner.listServices(),
    listServicesPage: async (token) => portsFor(hub.account, hub.region).appRunner.listServicesPage(token),
    updateImage: async (arn, image, options) => at(arn).updateImage(arn, image, options),
    pauseService: async (arn) => at(arn).pauseService(arn),
    resumeService: async (arn) => at(arn).resumeService(arn),
    deleteService: async (arn) => at(arn).deleteService(arn),
    tagService: async (arn, tags) => at(arn).tagService(arn, tags),
    untagService: async (arn, keys) => at(arn).untagService(arn, keys),
  };
  const images: ImageDigestResolver = {
    async resolve(identifier, repositoryType) {
      let where: Target | undefined;
      try {
        const ecr = parseImageIdentifier(identifier).ecr;
        if (ecr && targets.isTarget(ecr.account, ecr.region))
          where = { account: ecr.account, region: ecr.region };
      } catch {
        // Not an identifier the resolver can parse: the hub's resolver says why.
      }
      const { account, region } = where ?? hub;
      return portsFor(account, region).images.resolve(identifier, repositoryType);
    },
  };
  const router: TargetRouter = {
    hub: targets.hub,
    isTarget: targets.isTarget,
    listTargets: targets.listTargets,
    appRunnerIn: (t) => portsFor(t.account, t.region).appRunner,
    fleetAppRunnerIn: (t) => portsFor(t.account, t.region).fleetAppRunner,
    serviceTagsIn: (t) => portsFor(t.account, t.region).serviceTags,
  };
  return { targets: router, refresh: targets.refresh, portsFor, clientOptionsFor, appRunner, images };
}
