import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../lib/core/errors.ts';
import { parseAlarmStateChange } from '../../../lib/events/cloudwatch.ts';
import { ACCOUNT_ID, hubTargets } from '../../support/env.ts';
import { loadFixture } from '../../support/fixtures.ts';

const parse = (raw: unknown) => parseAlarmStateChange(raw, { targets: hubTargets() });
type Raw = Record<string, unknown> & { detail: Record<string, unknown> & { state: Record<string, unknown> } };
const fixture = (name: string) => loadFixture<Raw>(name);

describe('parseAlarmStateChange (CloudWatch Alarm State Change)', () => {
  it('reads the alarm, its new state, when it entered it (CloudWatch’s +0000 time, in ISO) and why', () => {
    expect(parse(fixture('cloudwatch/alarm-state-change'))).toEqual({
      kind: 'alarm',
      eventId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      time: '2026-11-20T14:12:40.000Z',
      account: ACCOUNT_ID,
      region: 'us-east-1',
      alarmName: 'apprunner-guard-dev-bake-payments-api-8fe1e10304f84fd2b0df550fe98a71fa',
      alarmArn:
        'arn:aws:cloudwatch:us-east-1:111122223333:alarm:apprunner-guard-dev-bake-payments-api-8fe1e10304f84fd2b0df550fe98a71fa',
      state: 'ALARM',
      stateChangedAt: '2026-11-20T14:12:40.989Z',
      reason: expect.stringContaining('were greater than the threshold (5.0)'),
      previousState: 'OK',
    });
    expect(parse(fixture('cloudwatch/alarm-state-change-ok'))).toMatchObject({
      state: 'OK',
      previousState: 'ALARM',
    });
    expect(parse(fixture('cloudwatch/alarm-state-change-user-alarm'))).toMatchObject({
      alarmName: 'payments-p99-latency',
      state: 'ALARM',
    });
  });

  it('tolerates odd text: a long or control-character reason is normalised and cut, never a rejection', () => {
    const raw = fixture('cloudwatch/alarm-state-change');
    raw.detail.state.reason = `bad\u0000reason ${'x'.repeat(5000)}`;
    const event = parse(raw);
    expect(event.reason.length).toBeLessThanOrEqual(1000);
    expect(event.reason).not.toContain('\u0000');
    raw.detail.state.reason = undefined;
    expect(parse(raw).reason).toBe('(no reason given)');
  });

  it.each<[string, (raw: Raw) => void, string]>([
    [
      'another account',
      (r) => {
        r.account = '999999999999';
      },
      'account',
    ],
    [
      'another source',
      (r) => {
        r.source = 'aws.apprunner';
      },
      'source',
    ],
    [
      'another detail-type',
      (r) => {
        r['detail-type'] = 'CloudWatch Alarm Configuration Change';
      },
      'detail-type',
    ],
    [
      'an ARN naming another alarm',
      (r) => {
        r.resources = ['arn:aws:cloudwatch:us-east-1:111122223333:alarm:other'];
      },
      'resources',
    ],
    [
      'an ARN of another region',
      (r) => {
        (r.resources as string[])[0] = (r.resources as string[])[0]!.replace('us-east-1', 'eu-west-1');
      },
      'resources',
    ],
    [
      'a region outside the targets',
      (r) => {
        r.region = 'eu-west-1';
      },
      'region',
    ],
    [
      'no resources',
      (r) => {
        r.resources = [];
      },
      'resources',
    ],
    [
      'an unknown state',
      (r) => {
        r.detail.state.value = 'FIRING';
      },
      'detail.state.value',
    ],
    [
      'a state time that is no time',
      (r) => {
        r.detail.state.timestamp = 'yesterday';
      },
      'detail.state.timestamp',
    ],
    [
      'no alarm name',
      (r) => {
        r.detail.alarmName = '';
      },
      'detail.alarmName',
    ],
  ])('rejects %s, naming the field', (_name, change, field) => {
    const raw = fixture('cloudwatch/alarm-state-change');
    change(raw);
    let error: unknown;
    try {
      parse(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).message).toContain(field);
  });

  it('invalid/alarm-arn-mismatch is rejected naming resources', () => {
    expect(() => parse(loadFixture('invalid/alarm-arn-mismatch'))).toThrow(/resources/);
  });
});
