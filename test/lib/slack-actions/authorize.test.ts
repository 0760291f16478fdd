import { describe, expect, it } from 'vitest';
import { authorizeSlackAction, type SlackActionAllowlist } from '../../../lib/slack-actions/authorize.ts';

const allowlist: SlackActionAllowlist = {
  'keep-service': ['U0ONCALL', 'S0PLATFORM'],
  'keep-running': ['U0ONCALL'],
  rollback: ['S0PLATFORM'],
  'release-pin': [],
};
const groups = { members: async (id: string) => (id === 'S0PLATFORM' ? ['U0PLAT'] : []) };

describe('authorizeSlackAction', () => {
  it('admits a listed user', async () => {
    expect(await authorizeSlackAction('keep-service', { id: 'U0ONCALL' }, allowlist, groups)).toEqual({
      allowed: true,
      via: 'user U0ONCALL',
    });
  });

  it('admits a member of a listed user group', async () => {
    expect(await authorizeSlackAction('rollback', { id: 'U0PLAT' }, allowlist, groups)).toEqual({
      allowed: true,
      via: 'user group S0PLATFORM',
    });
  });

  it('refuses anyone else, saying who may', async () => {
    const r = await authorizeSlackAction('rollback', { id: 'U0INTRUDER' }, allowlist, groups);
    expect(r).toEqual({ allowed: false, reason: expect.stringContaining('<!subteam^S0PLATFORM>') });
    expect(await authorizeSlackAction('keep-running', { id: 'U0PLAT' }, allowlist, groups)).toMatchObject({
      allowed: false,
    });
  });

  it('an empty list admits nobody', async () => {
    const r = await authorizeSlackAction('release-pin', { id: 'U0ONCALL' }, allowlist, groups);
    expect(r).toEqual({ allowed: false, reason: expect.stringContaining('Nobody may') });
  });

  it('a group whose members cannot be read denies, and says so', async () => {
    const failing = { members: async () => Promise.reject(new Error('ratelimited')) };
    const r = await authorizeSlackAction('rollback', { id: 'U0PLAT' }, allowlist, failing);
    expect(r).toEqual({ allowed: false, reason: expect.stringContaining('could not be read') });
  });
});
