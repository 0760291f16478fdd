import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config.ts';
import { guardEnv } from '../support/env.ts';

describe('loadConfig', () => {
  it('parses a complete environment', () => {
    const config = loadConfig(guardEnv({ DRY_RUN_CLEANUP: 'true', CLEANUP_GRACE_MINUTES: '90' }));
    expect(config.accountId).toBe('111122223333');
    expect(config.cleanup).toMatchObject({ graceMinutes: 90, dryRun: true });
    expect(config.rollback).toMatchObject({ loopLimit: 3, dryRun: false });
  });

  it('fails loudly on a missing setting, naming it', () => {
    const env = guardEnv();
    delete env.LEDGER_TABLE;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/LEDGER_TABLE is required/);
  });

  it('names every invalid setting at once', () => {
    const env = guardEnv({ DRY_RUN_ROLLBACK: 'yes', CLEANUP_GRACE_MINUTES: '0', GUARD_ACCOUNT_ID: '42' });
    const message = (() => {
      try {
        loadConfig(env);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const key of ['GUARD_ACCOUNT_ID', 'CLEANUP_GRACE_MINUTES', 'DRY_RUN_ROLLBACK'])
      expect(message).toContain(key);
  });

  it('never takes a webhook URL as the Slack setting (only a parameter name)', () => {
    expect(() =>
      loadConfig(guardEnv({ SLACK_WEBHOOK_PARAMETER: 'https://hooks.slack.com/services/T000/B000/XXXX' })),
    ).toThrow(/SLACK_WEBHOOK_PARAMETER/);
  });
});
