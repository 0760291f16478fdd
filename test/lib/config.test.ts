import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadCliConfig,
  loadConfig,
  loadSlackActionsConfig,
  loadSlackNotifyConfig,
} from '../../lib/config.ts';
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

describe('loadCliConfig', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    LEDGER_TABLE: 'guard-ledger',
    EVENT_BUS_NAME: 'default',
    USER: 'alice',
  };

  it('reads only the settings a command needs', () => {
    expect(loadCliConfig(env, ['region', 'ledgerTable', 'eventBusName', 'operator'])).toEqual({
      region: 'eu-west-1',
      ledgerTable: 'guard-ledger',
      eventBusName: 'default',
      operator: 'alice',
    });
    expect(loadCliConfig({ AWS_REGION: 'eu-west-1' }, ['region'])).toEqual({ region: 'eu-west-1' });
  });

  it('takes the region from AWS_DEFAULT_REGION and the operator from USERNAME when that is all there is', () => {
    expect(
      loadCliConfig({ AWS_DEFAULT_REGION: 'us-east-2', USERNAME: 'bob' }, ['region', 'operator']),
    ).toEqual({
      region: 'us-east-2',
      operator: 'bob',
    });
  });

  it('names every missing variable at once, and treats an empty one as missing', () => {
    let message = '';
    try {
      loadCliConfig({ AWS_REGION: '', USER: 'alice' }, ['region', 'ledgerTable', 'eventBusName', 'operator']);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('AWS_REGION is required');
    expect(message).toContain('LEDGER_TABLE is required');
    expect(message).toContain('EVENT_BUS_NAME is required');
    expect(message).not.toContain('USER');
  });

  it('watches only the hub when GUARD_TARGETS is unset, and parses it when set', () => {
    expect(loadConfig(guardEnv()).targets).toEqual({ entries: [] });
    expect(loadConfig(guardEnv()).spokes).toBeUndefined();
    const config = loadConfig(
      guardEnv({
        GUARD_TARGETS: '123456789012:eu-west-1,us-east-1',
        GUARD_STACK_NAME: 'apprunner-guard-prod',
        GUARD_SPOKE_EXTERNAL_ID: 'a-long-enough-external-id',
      }),
    );
    expect(config.targets.entries).toEqual([
      { kind: 'account', account: '123456789012', regions: ['eu-west-1', 'us-east-1'] },
    ]);
    expect(config.spokes).toEqual({
      roleNamePrefix: 'apprunner-guard-prod',
      externalId: { value: 'a-long-enough-external-id' },
    });
  });

  it('takes the external id from an SSM parameter instead, never from both', () => {
    const env = {
      GUARD_TARGETS: '123456789012:eu-west-1',
      GUARD_STACK_NAME: 'apprunner-guard-prod',
      GUARD_SPOKE_EXTERNAL_ID: '',
      GUARD_SPOKE_EXTERNAL_ID_PARAMETER: '/apprunner-guard/spoke-external-id',
    };
    expect(loadConfig(guardEnv(env)).spokes).toEqual({
      roleNamePrefix: 'apprunner-guard-prod',
      externalId: { parameter: '/apprunner-guard/spoke-external-id' },
    });
    expect(() =>
      loadConfig(guardEnv({ ...env, GUARD_SPOKE_EXTERNAL_ID: 'a-long-enough-external-id' })),
    ).toThrow(/GUARD_SPOKE_EXTERNAL_ID and GUARD_SPOKE_EXTERNAL_ID_PARAMETER are both set/);
    expect(() =>
      loadConfig(guardEnv({ ...env, GUARD_SPOKE_EXTERNAL_ID_PARAMETER: 'spoke-external-id' })),
    ).toThrow(/GUARD_SPOKE_EXTERNAL_ID_PARAMETER must be an SSM parameter name starting with \//);
  });

  it('requires the stack name and the external id with targets beyond the hub (they name and unlock the spoke roles)', () => {
    expect(() => loadConfig(guardEnv({ GUARD_TARGETS: '123456789012:eu-west-1' }))).toThrow(
      /GUARD_STACK_NAME is required with GUARD_TARGETS.*GUARD_SPOKE_EXTERNAL_ID is required/,
    );
    expect(() =>
      loadConfig(
        guardEnv({
          GUARD_TARGETS: '123456789012:eu-west-1',
          GUARD_STACK_NAME: 'apprunner-guard-prod',
          GUARD_SPOKE_EXTERNAL_ID: 'short',
        }),
      ),
    ).toThrow(/GUARD_SPOKE_EXTERNAL_ID must be 16 to 1224/);
  });

  it('rejects a malformed GUARD_TARGETS with the other problems, naming the entry', () => {
    expect(() =>
      loadConfig(
        guardEnv({ GUARD_TARGETS: '123456789012:eu-west-1;123456789012:us-east-1', LEDGER_TABLE: '' }),
      ),
    ).toThrow(/LEDGER_TABLE.*; GUARD_TARGETS entry 2 .* repeats 123456789012/);
  });
});

describe('loadSlackActionsConfig', () => {
  const allow = {
    'keep-service': ['U0ONCALL', 'S0PLATFORM'],
    'keep-running': ['U0ONCALL'],
    rollback: [],
    'release-pin': [],
  };
  const env = {
    SLACK_SIGNING_SECRET_PARAMETER: '/apprunner-guard/slack-signing-secret',
    SLACK_BOT_TOKEN_PARAMETER: '/apprunner-guard/slack-bot-token',
    SLACK_ACTIONS_ALLOW: JSON.stringify(allow),
  };

  it('parses the allowlist of every action', () => {
    expect(loadSlackActionsConfig(env)).toEqual({
      signingSecretParameter: '/apprunner-guard/slack-signing-secret',
      botTokenParameter: '/apprunner-guard/slack-bot-token',
      allow,
      apiUrl: 'https://slack.com/api/',
    });
    expect(() => loadSlackActionsConfig({ ...env, SLACK_API_URL: 'http://slack.example.com/api/' })).toThrow(
      /SLACK_API_URL/,
    );
  });

  it('fails loudly on a missing signing secret parameter or allowlist', () => {
    expect(() => loadSlackActionsConfig({})).toThrow(
      /SLACK_SIGNING_SECRET_PARAMETER is required.*SLACK_ACTIONS_ALLOW is required/,
    );
  });

  it('never takes the secret itself as the setting', () => {
    expect(() =>
      loadSlackActionsConfig({ ...env, SLACK_SIGNING_SECRET_PARAMETER: '8f742231b10e8888abcd99yyyzzz85a5' }),
    ).toThrow(/must be an SSM parameter name/);
  });

  it('names a missing action, an unknown action and a malformed id', () => {
    const broken = JSON.stringify({ 'keep-service': ['alice'], rollback: [], 'release-pin': [], nuke: [] });
    const message = (() => {
      try {
        loadSlackActionsConfig({ ...env, SLACK_ACTIONS_ALLOW: broken });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain('SLACK_ACTIONS_ALLOW.nuke is not an action');
    expect(message).toContain('SLACK_ACTIONS_ALLOW.keep-running is required');
    expect(message).toContain('not Slack user or group ids: alice');
  });

  it('a user group needs the bot token to read its members', () => {
    const { SLACK_BOT_TOKEN_PARAMETER: _, ...withoutBot } = env;
    expect(() => loadSlackActionsConfig(withoutBot)).toThrow(
      /SLACK_BOT_TOKEN_PARAMETER is required.*S0PLATFORM/,
    );
    const usersOnly = { ...allow, 'keep-service': ['U0ONCALL'] };
    expect(
      loadSlackActionsConfig({ ...withoutBot, SLACK_ACTIONS_ALLOW: JSON.stringify(usersOnly) })
        .botTokenParameter,
    ).toBeUndefined();
  });
});

describe('loadSlackNotifyConfig', () => {
  const app = {
    SLACK_MODE: 'app',
    SLACK_BOT_TOKEN_PARAMETER: '/apprunner-guard/slack-bot-token',
    SLACK_ONCALL_CHANNEL: 'C0ONCALL',
    SLACK_INFO_CHANNEL: 'none',
    SLACK_CRITICAL_MENTION: 'S0ONCALL',
  };

  it('webhook mode needs nothing else', () => {
    expect(loadSlackNotifyConfig(guardEnv())).toEqual({ mode: 'webhook', app: undefined });
  });

  it('app mode reads the channels, the mention and the bot token parameter', () => {
    expect(loadSlackNotifyConfig(app)).toEqual({
      mode: 'app',
      app: {
        botTokenParameter: '/apprunner-guard/slack-bot-token',
        apiUrl: 'https://slack.com/api/',
        oncallChannel: 'C0ONCALL',
        infoChannel: undefined,
        criticalMention: 'S0ONCALL',
      },
    });
  });

  it('fails loudly on a missing mode, and on app mode without its settings, naming each', () => {
    expect(() => loadSlackNotifyConfig({})).toThrow(/SLACK_MODE is required/);
    expect(() => loadSlackNotifyConfig({ SLACK_MODE: 'teams' })).toThrow(/SLACK_MODE must be/);
    const error = (() => {
      try {
        loadSlackNotifyConfig({
          SLACK_MODE: 'app',
          SLACK_BOT_TOKEN_PARAMETER: 'none',
          SLACK_ONCALL_CHANNEL: '#oncall',
        });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('SLACK_BOT_TOKEN_PARAMETER is required in app mode');
    expect(error?.message).toContain('SLACK_ONCALL_CHANNEL must be a Slack channel id');
    expect(error?.message).toContain('SLACK_INFO_CHANNEL is required');
    expect(error?.message).toContain('SLACK_CRITICAL_MENTION is required');
  });
});
