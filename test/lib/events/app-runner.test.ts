import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/core/errors.ts';
import {
  type AppRunnerEvent,
  OPERATION_STATUSES,
  parseAppRunnerEvent,
  parseServiceArn,
  toCamelCaseEvent,
} from '../../../lib/events/app-runner.ts';
import { parseGuardEvent } from '../../../lib/events/guard.ts';
import { createLiveTargets, createTargets, parseTargets } from '../../../lib/targets.ts';
import { ACCOUNT_ID, hubTargets } from '../../support/env.ts';
import { listFixtures, loadFixture } from '../../support/fixtures.ts';

const parse = (raw: unknown) => parseAppRunnerEvent(raw, { targets: hubTargets() });
const pascalFixtures = [
  ...listFixtures('apprunner-operation'),
  ...listFixtures('apprunner-status'),
  ...listFixtures('hostile'),
];

function rejection(raw: unknown): InvalidEventError {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected the event to be rejected');
}

describe('App Runner event fixtures', () => {
  it('cover all 18 operation statuses, one fixture each', () => {
    const statuses = listFixtures('apprunner-operation').map((n) => {
      const e = parse(loadFixture(n));
      return e.kind === 'operation' ? e.status : undefined;
    });
    expect(new Set(statuses)).toEqual(new Set(OPERATION_STATUSES));
    expect(statuses).toHaveLength(18);
  });

  it('cover the meaningful service status transitions', () => {
    const targets = listFixtures('apprunner-status').map(
      (n) => (parse(loadFixture(n)) as { currentStatus: string }).currentStatus,
    );
    for (const s of [
      'RUNNING',
      'OPERATION_IN_PROGRESS',
      'PAUSED',
      'CREATE_FAILED',
      'DELETE_FAILED',
      'DELETED',
    ]) {
      expect(targets).toContain(s);
    }
  });

  it.each(pascalFixtures)('%s parses into the internal shape', (name) => {
    const raw = loadFixture<{ id: string; resources: string[]; detail: Record<string, string> }>(name);
    const event = parse(raw);
    expect(event.eventId).toBe(raw.id);
    expect(event.service.arn).toBe(raw.resources[0]);
    expect(event.service.name).toBe(raw.detail.ServiceName);
    expect(event.spelling).toBe('PascalCase');
    if (event.kind === 'operation') {
      expect(`${event.operation}${event.phase}`).toBe(raw.detail.Status);
    } else {
      expect(event.currentStatus).toBe(raw.detail.CurrentStatus);
      expect(event.previousStatus).toBe(raw.detail.PreviousStatus);
    }
  });

  it.each(pascalFixtures)('%s: the derived camelCase twin parses identically', (name) => {
    const raw = loadFixture<{ detail: Record<string, unknown> }>(name);
    const twin = toCamelCaseEvent(raw);
    expect(Object.keys(twin.detail).some((k) => /^[A-Z]/.test(k))).toBe(false);
    const { spelling: a, ...pascal } = parse(raw);
    const { spelling: b, ...camel } = parse(twin);
    expect(a).toBe('PascalCase');
    expect(b).toBe('camelCase');
    expect(camel).toEqual(pascal);
  });

  it.each(listFixtures('apprunner-camel'))('hand-written camelCase fixture %s parses', (name) => {
    const event: AppRunnerEvent = parse(loadFixture(name));
    expect(event.service.name.length).toBeGreaterThan(3);
  });

  it('accepts the docs page shape: operationStatus with PascalCase service fields', () => {
    const event = parse(loadFixture('apprunner-camel/docs-mixed-pause-completed'));
    expect(event).toMatchObject({
      kind: 'operation',
      operation: 'PauseService',
      phase: 'CompletedSuccessfully',
    });
  });

  it('keeps hostile but well-formed text verbatim for the notifier to escape', () => {
    const event = parse(loadFixture('hostile/mrkdwn-injection'));
    expect(event.message).toContain('<!channel>');
  });
});

describe('tolerant on text: free text is normalised, never a reason to reject', () => {
  it('keeps a genuine DeploymentFailed with a 10,000-character Message, cut with a visible marker', () => {
    const raw = loadFixture<{ detail: { Message: string } }>('hostile/long-message');
    expect(raw.detail.Message).toHaveLength(10_000);
    const event = parse(raw);
    expect(event).toMatchObject({ kind: 'operation', status: 'DeploymentFailed' });
    expect(event.message).toHaveLength(4096);
    expect(event.message).toBe(`${raw.detail.Message.slice(0, 4078)}… [cut 5922 chars]`);
  });

  it('replaces control characters in Message and Severity instead of rejecting', () => {
    const event = parse(loadFixture('hostile/control-characters'));
    expect(event).toMatchObject({ kind: 'operation', status: 'DeploymentFailed' });
    expect(event.message).toBe('Deployment failed.\ufffd\ufffd[2J\ufffd\ufffd\ufffdexcepted\ufffdnext');
    expect(event.severity).toBe('ERROR\ufffd');
  });

  it('accepts an odd Severity and a non-string Message on a CREATE_FAILED status change', () => {
    const event = parse(loadFixture('hostile/create-failed-odd-text'));
    expect(event).toMatchObject({ kind: 'service-status', currentStatus: 'CREATE_FAILED' });
    expect(event.message).toBe('{"code":"HealthCheckFailed","lines":["first","second"]}');
    expect(event.severity).toBe('error: the servi… [cut 55 chars]');
  });

  it('stays strict on identity: a control character in the service name is still rejected', () => {
    expect(rejection(loadFixture('invalid/control-character-service-name')).field).toBe('detail.ServiceName');
  });
});

describe('rejecting invalid and hostile events', () => {
  const expectedField: Record<string, string> = {
    'wrong-source': 'source',
    'foreign-account': 'account',
    'missing-detail': 'detail',
    'missing-service-name': 'detail.ServiceName',
    'missing-status': 'detail.Status',
    'malformed-arn': 'resources.0',
    'arn-region-mismatch': 'resources.0',
    'unknown-operation-status': 'detail.Status',
    'unknown-service-status': 'detail.CurrentStatus',
    'control-character-service-name': 'detail.ServiceName',
    'wrong-type-status': 'detail.Status',
    'wrong-type-resources': 'resources',
    'empty-resources': 'resources',
    'service-name-mismatch': 'detail.ServiceName',
    'conflicting-spellings': 'detail.Status',
    'bad-time': 'time',
    'custom-domain-detail-type': 'detail-type',
    'not-object-array': '(event)',
    'not-object-string': '(event)',
    'not-object-null': '(event)',
  };

  it.each(Object.entries(expectedField))('%s is rejected naming %s', (name, field) => {
    const error = rejection(loadFixture(`invalid/${name}`));
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });

  it('says why a missing field is rejected', () => {
    expect(rejection(loadFixture('invalid/missing-service-name')).message).toBe(
      'detail.ServiceName: is required',
    );
  });

  it('names the camelCase key when the event used camelCase', () => {
    const raw = toCamelCaseEvent(
      loadFixture<{ detail: Record<string, unknown> }>('invalid/unknown-operation-status'),
    );
    expect(rejection(raw).field).toBe('detail.operationStatus');
  });

  it.each(['guard-event-foreign-account', 'guard-event-unknown-outcome'])(
    'guard event %s is rejected',
    (name) => {
      expect(() => parseGuardEvent(loadFixture(`invalid/${name}`), { accountId: ACCOUNT_ID })).toThrow(
        InvalidEventError,
      );
    },
  );

  it("normalises a guard event's free text (reason, trigger) instead of rejecting it", () => {
    const raw = loadFixture<{ detail: { reason: string; trigger: string } }>('guard/rollback-completed');
    raw.detail.reason = `Pinned.\u0000${'r'.repeat(3000)}`;
    raw.detail.trigger = 't'.repeat(600);
    const event = parseGuardEvent(raw, { accountId: ACCOUNT_ID });
    expect(event.detail.reason).toHaveLength(2000);
    expect(event.detail.reason).toMatch(/^Pinned\.\ufffdr+… \[cut 1026 chars\]$/);
    expect(event.detail.trigger).toBe(`${'t'.repeat(495)}… [cut 105 chars]`);
  });

  it('accepts every guard event fixture', () => {
    for (const name of listFixtures('guard')) {
      expect(parseGuardEvent(loadFixture(name), { accountId: ACCOUNT_ID }).kind).toBe('guard');
    }
  });
});

describe('parseServiceArn', () => {
  it('splits a service ARN', () => {
    expect(
      parseServiceArn(
        'arn:aws:apprunner:eu-west-1:111122223333:service/web1/0123456789abcdef0123456789abcdef',
      ),
    ).toEqual({
      arn: 'arn:aws:apprunner:eu-west-1:111122223333:service/web1/0123456789abcdef0123456789abcdef',
      region: 'eu-west-1',
      account: '111122223333',
      name: 'web1',
      id: '0123456789abcdef0123456789abcdef',
    });
  });
  it.each([
    'arn:aws:apprunner:eu-west-1:111122223333:connection/x/0123456789abcdef0123456789abcdef',
    'arn:aws:apprunner:eu-west-1:1111:service/web1/0123456789abcdef0123456789abcdef',
    'arn:aws:ecs:eu-west-1:111122223333:service/web1/0123456789abcdef0123456789abcdef',
    'arn:aws:apprunner:eu-west-1:111122223333:service/web1/xyz',
  ])('rejects %s', (arn) => expect(parseServiceArn(arn)).toBeUndefined());
});

describe('events from the targets (many accounts and regions)', () => {
  const SPOKE = '222233334444';
  const targets = createTargets(parseTargets(`${SPOKE}:eu-west-1,eu-central-1`), {
    account: ACCOUNT_ID,
    region: 'us-east-1',
  });
  const moved = (account: string, region: string) => {
    const raw = loadFixture<Record<string, unknown> & { resources: string[] }>(
      'apprunner-operation/deployment-failed',
    );
    const arn = raw.resources[0]!.replace(/apprunner:[^:]+:\d{12}:/, `apprunner:${region}:${account}:`);
    return { ...raw, account, region, resources: [arn] };
  };
  const reject = (raw: unknown) => {
    try {
      parseAppRunnerEvent(raw, { targets });
    } catch (error) {
      return error as InvalidEventError;
    }
    throw new Error('not rejected');
  };

  it("accepts a spoke's event, naming the spoke's account and region on the service", () => {
    const event = parseAppRunnerEvent(moved(SPOKE, 'eu-central-1'), { targets });
    expect(event.service).toMatchObject({ account: SPOKE, region: 'eu-central-1' });
  });

  it('rejects an account outside the targets, naming account', () => {
    const error = reject(moved('999988887777', 'eu-west-1'));
    expect(error.field).toBe('account');
    expect(error.message).toContain("999988887777, not one of the guard's targets");
  });

  it('rejects a region the guard does not watch in a target account, naming region', () => {
    const error = reject(moved(SPOKE, 'us-west-2'));
    expect(error.field).toBe('region');
    expect(error.message).toContain(`account ${SPOKE} in eu-west-1, eu-central-1 only`);
    // The hub's own account, in another region, is not a target either.
    expect(reject(moved(ACCOUNT_ID, 'eu-west-1')).field).toBe('region');
  });
});

describe('events from accounts found through an organisational unit', () => {
  const event = (account: string) => {
    const raw = loadFixture<Record<string, unknown> & { resources: string[] }>(
      'apprunner-operation/deployment-failed',
    );
    const arn = raw.resources[0]!.replace(/apprunner:[^:]+:\d{12}:/, `apprunner:eu-west-1:${account}:`);
    return { ...raw, account, region: 'eu-west-1', resources: [arn] };
  };

  it('accepts an account of the unit and rejects one outside it, naming account', async () => {
    const targets = createLiveTargets(
      parseTargets('ou-ab12-cdefgh34:eu-west-1'),
      { account: ACCOUNT_ID, region: 'us-east-1' },
      { resolveUnit: async () => ['444455556666'] },
    );
    await targets.refresh();
    expect(parseAppRunnerEvent(event('444455556666'), { targets }).service.account).toBe('444455556666');
    try {
      parseAppRunnerEvent(event('999988887777'), { targets });
      throw new Error('not rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      expect((error as InvalidEventError).field).toBe('account');
      expect((error as Error).message).toContain("999988887777, not one of the guard's targets");
    }
  });
});
