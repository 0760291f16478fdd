import {
  type Account,
  OrganizationsClient,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import type { GuardConfig } from '../config.ts';
import { classifyError, TerminalError } from '../core/errors.ts';
import type { OrganizationPort } from '../core/ports/organization.ts';
import { createLiveTargets, createTargets, type LiveTargets, type Targets } from '../targets.ts';
import { clientConfig } from './client-config.ts';
import { translateAwsError } from './errors.ts';
import { nowWithin } from './waits.ts';

export type { OrganizationPort } from '../core/ports/organization.ts';

/** Creates the Organizations client once per container (its endpoint is global; the SDK picks it). */
export function createOrganizationsClient(region: string): OrganizationsClient {
  return new OrganizationsClient({ ...clientConfig(), region });
}

// Organizations' refusals that no retry mends: the hub is not allowed to read the organisation.
const NOT_ALLOWED = new Set(['AccessDeniedException', 'AWSOrganizationsNotInUseException']);

/** Whether an account counts: `State` (Organizations' field since 2025), else the older `Status`. */
function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}

/**
 * The organisation reader: every active account of a unit and of the units below it (breadth
 * first, every page of `ListAccountsForParent` and `ListOrganizationalUnitsForParent`). Only the
 * management account or a delegated administrator may call these: a refusal, or an account
 * outside any organisation, becomes a {@link TerminalError} saying so and what to do; an unknown
 * unit one naming it; throttling and outages stay retryable.
 */
export function createOrganizationReader(client: OrganizationsClient): OrganizationPort {
  const read = async (unit: string): Promise<string[]> => {
    const accounts = new Set<string>();
    const queue = [unit];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const parent = queue.shift()!;
      for await (const page of paginateListAccountsForParent({ client }, { ParentId: parent })) {
        for (const account of page.Accounts ?? []) {
          if (account.Id && isActive(account)) accounts.add(account.Id);
        }
      }
      for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent })) {
        for (const child of page.OrganizationalUnits ?? []) {
          if (child.Id && !seen.has(child.Id)) {
            seen.add(child.Id);
            queue.push(child.Id);
          }
        }
      }
    }
    return [...accounts];
  };
  return {
    async listActiveAccounts(unit) {
      try {
        return await read(unit);
      } catch (error) {
        throw organizationError(unit, error);
      }
    },
  };
}

/** An Organizations failure, named for on-call: what the hub may not do, and what to change. */
function organizationError(unit: string, error: unknown): Error {
  const translated = translateAwsError(error);
  if (translated.kind !== 'terminal') return translated;
  const cause = error as Error;
  const fields = { organizationalUnit: unit, sdkError: cause.name };
  if (NOT_ALLOWED.has(cause.name))
    return new TerminalError(
      `cannot find the accounts of ${unit} in GUARD_TARGETS: AWS Organizations refused the hub (${cause.name}: ${cause.message}). Deploy the guard in the organisation's management account or in an account registered as a delegated administrator for AWS Organizations (organizations:RegisterDelegatedAdministrator), or list the accounts in GUARD_TARGETS instead of the OU`,
      { cause, fields },
    );
  return new TerminalError(
    `cannot find the accounts of ${unit} in GUARD_TARGETS (${cause.name}: ${cause.message}): check the OU id`,
    { cause, fields },
  );
}

/**
 * The guard's targets from its config (docs/architecture.md, "Many accounts and regions"): the hub,
 * the listed accounts, and the accounts of the listed organisational units, read through
 * Organizations at the first {@link LiveTargets.refresh} and again every 15 minutes. With no unit,
 * no Organizations client is made and `refresh` does nothing. Call once per container.
 */
export function createGuardTargets(
  config: Pick<GuardConfig, 'accountId' | 'region' | 'targets'>,
  organization?: OrganizationPort,
): LiveTargets {
  const hub = { account: config.accountId, region: config.region };
  let reader = organization;
  return createLiveTargets(config.targets, hub, {
    // The invocation's clock: real when deployed, simulated in the sandbox.
    now: nowWithin,
    resolveUnit: (unit) => {
      reader ??= createOrganizationReader(createOrganizationsClient(config.region));
      return reader.listActiveAccounts(unit);
    },
  });
}

/**
 * What a function runs before each event (`StackDeps.prepare`): the targets refreshed, and a
 * terminal failure to read them (the hub may not read Organizations) reported once per container
 * with `report` — every later event fails the same way until it is fixed, and one alert says what
 * to do — then thrown for the stack to return as the event's `failed` result.
 */
export function prepareTargets(
  targets: Pick<LiveTargets, 'refresh'>,
  report: (error: Error) => Promise<void>,
): () => Promise<void> {
  let reported = false;
  return async () => {
    try {
      await targets.refresh();
    } catch (error) {
      if (classifyError(error) === 'terminal' && !reported) {
        reported = true;
        await report(error as Error);
      }
      throw error;
    }
  };
}

/**
 * Targets for the functions that must keep working when the organisation cannot be read: the
 * notifier (it delivers the other functions' reports of that very failure) and the Slack endpoint.
 * A terminal failure to read the organisational units is reported once per container with `report`;
 * until they are read, the targets are the hub and the accounts listed directly (never more than
 * configured); once read, the last reading is kept as {@link createGuardTargets} keeps it.
 * Anything retryable is thrown.
 */
export function createLenientTargets(
  config: Pick<GuardConfig, 'accountId' | 'region' | 'targets'>,
  report: (error: Error) => Promise<void>,
  organization?: OrganizationPort,
): { targets: Targets; prepare(): Promise<void> } {
  const hub = { account: config.accountId, region: config.region };
  const live = createGuardTargets(config, organization);
  const listed = createTargets({ entries: config.targets.entries.filter((e) => e.kind === 'account') }, hub);
  let read = false;
  const current = () => (read ? live : listed);
  let reported = false;
  return {
    targets: {
      hub: live.hub,
      isTarget: (account, region) => current().isTarget(account, region),
      listTargets: () => current().listTargets(),
    },
    async prepare() {
      try {
        await live.refresh();
        read = true;
      } catch (error) {
        if (classifyError(error) !== 'terminal') throw error;
        if (!reported) {
          reported = true;
          await report(error as Error);
        }
      }
    },
  };
}
