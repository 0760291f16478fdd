/**
 * AWS Organizations for the targets (lib/aws/organizations.ts): the accounts of a unit and the
 * units below it, every page, active ones only; a hub that may not read the organisation is told
 * what to do, once.
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createLenientTargets,
  createOrganizationReader,
  prepareTargets,
} from '../../../lib/aws/organizations.ts';
import { createTargetPorts } from '../../../lib/aws/targets.ts';
import { loadConfig } from '../../../lib/config.ts';
import { classifyError, TerminalError } from '../../../lib/core/errors.ts';
import { ACCOUNT_ID, guardEnv, REGION } from '../../support/env.ts';
import { sdkError } from '../../support/sdk-errors.ts';

const organizations = mockClient(OrganizationsClient);
const OU = 'ou-ab12-cdefgh34';
const CHILD = 'ou-ab12-child001';
const GRANDCHILD = 'ou-ab12-grand001';
const reader = () => createOrganizationReader(new OrganizationsClient({ region: 'us-east-1' }));

beforeEach(() => organizations.reset());

describe('createOrganizationReader', () => {
  beforeEach(() => {
    organizations
      .on(ListAccountsForParentCommand, { ParentId: OU })
      .resolvesOnce({ Accounts: [{ Id: '222233334444', State: 'ACTIVE' }], NextToken: 'p2' })
      .resolvesOnce({
        Accounts: [
          { Id: '333344445555', State: 'SUSPENDED' },
          { Id: '444455556666', Status: 'ACTIVE' },
        ],
      })
      .on(ListAccountsForParentCommand, { ParentId: CHILD })
      .resolves({
        Accounts: [
          { Id: '555566667777', State: 'ACTIVE' },
          { Id: '222233334444', State: 'ACTIVE' },
        ],
      })
      .on(ListAccountsForParentCommand, { ParentId: GRANDCHILD })
      .resolves({
        Accounts: [
          { Id: '666677778888', State: 'PENDING_CLOSURE' },
          { Id: '777788889999', State: 'ACTIVE' },
        ],
      })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: OU })
      .resolves({ OrganizationalUnits: [{ Id: CHILD }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: CHILD })
      .resolves({ OrganizationalUnits: [{ Id: GRANDCHILD }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: GRANDCHILD })
      .resolves({ OrganizationalUnits: [] });
  });

  it('lists the active accounts of the unit and of every unit below it, every page, each once', async () => {
    const accounts = await reader().listActiveAccounts(OU);
    expect(accounts.sort()).toEqual(['222233334444', '444455556666', '555566667777', '777788889999']);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(4);
  });
});

describe('createOrganizationReader: what the hub is told', () => {
  const failWith = (error: Error) => organizations.on(ListAccountsForParentCommand).rejects(error);
  const failure = async () => {
    try {
      await reader().listActiveAccounts(OU);
    } catch (error) {
      return error as Error;
    }
    throw new Error('no failure');
  };

  it.each([
    ['AccessDeniedException', 'You don’t have permissions to access this resource.'],
    ['AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'],
  ])(
    '%s: terminal, naming the unit, the management account and delegated administrators',
    async (name, message) => {
      failWith(sdkError(name, message));
      const error = await failure();
      expect(error).toBeInstanceOf(TerminalError);
      expect(error.message).toContain(`cannot find the accounts of ${OU}`);
      expect(error.message).toContain(name);
      expect(error.message).toContain('management account');
      expect(error.message).toContain('delegated administrator');
    },
  );

  it('an unknown unit is terminal and names it', async () => {
    failWith(
      sdkError('ParentNotFoundException', 'We can’t find a root or OU with the ParentId that you specified.'),
    );
    const error = await failure();
    expect(classifyError(error)).toBe('terminal');
    expect(error.message).toContain('check the OU id');
  });

  it('throttling stays retryable', async () => {
    failWith(
      sdkError('TooManyRequestsException', 'You have sent too many requests in too short a period of time.'),
    );
    expect(classifyError(await failure())).toBe('retryable');
  });
});

describe('prepareTargets', () => {
  it('reports a terminal failure once per container and throws it every time', async () => {
    const report = vi.fn(async () => {});
    const denied = new TerminalError('AWS Organizations refused the hub');
    const prepare = prepareTargets({ refresh: async () => Promise.reject(denied) }, report);
    await expect(prepare()).rejects.toBe(denied);
    await expect(prepare()).rejects.toBe(denied);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report).toHaveBeenCalledWith(denied);
  });

  it('does not report a retryable failure', async () => {
    const report = vi.fn(async () => {});
    const prepare = prepareTargets(
      { refresh: async () => Promise.reject(new Error('socket hang up')) },
      report,
    );
    await expect(prepare()).rejects.toThrow('socket hang up');
    expect(report).not.toHaveBeenCalled();
  });
});

describe('createLenientTargets (the notifier and the Slack endpoint)', () => {
  const config = loadConfig(
    guardEnv({
      GUARD_TARGETS: `${OU}:eu-west-1; 222233334444:eu-west-1`,
      GUARD_STACK_NAME: 'apprunner-guard-prod',
      GUARD_SPOKE_EXTERNAL_ID: 'a-long-enough-external-id',
    }),
  );

  it('keeps answering for the hub and the listed accounts when the organisation cannot be read, and says so once', async () => {
    const report = vi.fn(async () => {});
    const denied = new TerminalError('AWS Organizations refused the hub');
    const { targets, prepare } = createLenientTargets(config, report, {
      listActiveAccounts: async () => Promise.reject(denied),
    });
    await prepare();
    await prepare();
    expect(report).toHaveBeenCalledTimes(1);
    expect(targets.isTarget(ACCOUNT_ID, REGION)).toBe(true);
    expect(targets.isTarget('222233334444', 'eu-west-1')).toBe(true);
    expect(targets.isTarget('444455556666', 'eu-west-1')).toBe(false);
  });

  it('answers with the accounts of the unit once it is read', async () => {
    const { targets, prepare } = createLenientTargets(config, async () => {}, {
      listActiveAccounts: async () => ['444455556666'],
    });
    await prepare();
    expect(targets.isTarget('444455556666', 'eu-west-1')).toBe(true);
  });
});

describe('createTargetPorts with an organisational unit', () => {
  const config = loadConfig(
    guardEnv({
      GUARD_TARGETS: `${OU}:eu-west-1; 222233334444:eu-west-1`,
      GUARD_STACK_NAME: 'apprunner-guard-prod',
      GUARD_SPOKE_EXTERNAL_ID: 'a-long-enough-external-id',
    }),
  );

  it('starts without calling Organizations, then lists the hub, the listed account and the unit’s accounts once', async () => {
    const listActiveAccounts = vi.fn(async () => ['222233334444', '444455556666']);
    const ports = createTargetPorts(config, { organization: { listActiveAccounts } });
    expect(listActiveAccounts).not.toHaveBeenCalled();
    await ports.refresh();
    await ports.refresh();
    expect(listActiveAccounts).toHaveBeenCalledTimes(1);
    expect(ports.targets.listTargets()).toEqual([
      { account: ACCOUNT_ID, region: REGION },
      { account: '222233334444', region: 'eu-west-1' },
      { account: '444455556666', region: 'eu-west-1' },
    ]);
    expect(() => ports.portsFor('999988887777', 'eu-west-1')).toThrow(/not one of the guard's targets/);
    expect(ports.portsFor('444455556666', 'eu-west-1').appRunner).toBeDefined();
  });
});
