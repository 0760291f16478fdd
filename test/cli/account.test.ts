/**
 * `--account` on the commands that act on one service (README "Many accounts and regions"): a spoke
 * is reached through its spoke role; what is missing for that is said before anything is called.
 */
import { describe, expect, it } from 'vitest';
import { runGuard } from './support.ts';

const ENV = {
  LEDGER_TABLE: 'ledger',
  EVENT_BUS_NAME: 'default',
  SCHEDULER_GROUP: 'apprunner-guard',
  AWS_REGION: 'eu-west-1',
  USER: 'alice',
};

describe('guard … --account', () => {
  it.each([['status'], ['rollback'], ['unpin'], ['pause'], ['resume']])(
    '%s documents --account and --region in its help',
    async (command) => {
      const run = await runGuard([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.out).toContain('--account <account id>');
      expect(run.out).toContain('--region <region>');
      expect(run.out).toContain('GUARD_SPOKE_EXTERNAL_ID');
    },
  );

  it('refuses an --account that is not an account id, as a usage error', async () => {
    const run = await runGuard(['status', 'payments-api', '--account', 'prod'], ENV);
    expect(run.code).toBe(2);
    expect(run.err).toContain('--account must be a 12-digit account id, got "prod"');
  });

  it('says which settings the spoke role needs before calling anything', async () => {
    const run = await runGuard(['status', 'payments-api', '--account', '222233334444'], ENV);
    expect(run.code).toBe(2);
    expect(run.err).toContain('GUARD_STACK_NAME is required');
    expect(run.err).toContain('GUARD_SPOKE_EXTERNAL_ID is required with --account');
    expect(run.err).toContain('or GUARD_SPOKE_EXTERNAL_ID_PARAMETER');
  });

  it('takes the external id from an SSM parameter instead (then only the stack name is missing)', async () => {
    const run = await runGuard(['status', 'payments-api', '--account', '222233334444'], {
      ...ENV,
      GUARD_SPOKE_EXTERNAL_ID_PARAMETER: '/apprunner-guard/spoke-external-id',
    });
    expect(run.code).toBe(2);
    expect(run.err).toContain('GUARD_STACK_NAME is required');
    expect(run.err).not.toContain('GUARD_SPOKE_EXTERNAL_ID is required');
  });
});
