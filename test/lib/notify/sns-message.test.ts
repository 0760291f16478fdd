import { describe, expect, it } from 'vitest';
import { type Alert, describeAlert } from '../../../lib/notify/alert.ts';
import { buildSnsMessage, SNS_MESSAGE_MAX_BYTES } from '../../../lib/notify/sns-message.ts';
import { listFixtures } from '../../support/fixtures.ts';
import { inputFrom } from './support.ts';

describe('buildSnsMessage', () => {
  it('sets the filterable String attributes', () => {
    expect(buildSnsMessage(describeAlert(inputFrom('guard/rollback-failed'))).attributes).toEqual({
      severity: 'critical',
      service: 'payments-api',
      status: 'failed',
      job: 'rollback',
      dryRun: 'false',
    });
    expect(
      buildSnsMessage(describeAlert(inputFrom('apprunner-operation/pause-service-failed'))).attributes,
    ).toEqual({
      severity: 'warning',
      service: expect.any(String),
      status: 'PauseServiceFailed',
      job: 'apprunner',
      dryRun: 'false',
    });
    expect(buildSnsMessage(describeAlert(inputFrom('guard/schedule-run-completed'))).attributes.service).toBe(
      'fleet',
    );
  });

  it('publishes JSON with everything a machine subscriber needs', () => {
    const body = JSON.parse(buildSnsMessage(describeAlert(inputFrom('guard/rollback-completed'))).message);
    expect(body).toMatchObject({
      version: 1,
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703000034',
      severity: 'info',
      title: 'Rollback Completed: payments-api',
      service: { name: 'payments-api', region: 'us-east-1' },
      status: 'acted',
      job: 'rollback',
      detailType: 'Rollback Completed',
      details: { toImage: expect.stringContaining('@sha256:') },
      truncated: false,
    });
    expect(body.links).toHaveLength(3);
  });

  it('keeps every subject ASCII, on one line and under 100 characters', () => {
    for (const name of listFixtures().filter((f) => /^(apprunner-|guard\/|hostile\/)/.test(f))) {
      const { subject } = buildSnsMessage(describeAlert(inputFrom(name)));
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
    }
    const alert = describeAlert(inputFrom('guard/rollback-failed'));
    const subject = buildSnsMessage({
      ...alert,
      title: `Déploiement échoué ✗\nsecond line ${'x'.repeat(200)}`,
    }).subject;
    expect(subject).toMatch(/^\[CRITICAL\] Deploiement echoue second line x+\.\.\.$/);
    expect(subject.length).toBeLessThan(100);
  });

  it('truncates an oversized message safely: valid JSON under the SNS limit', () => {
    const alert: Alert = {
      ...describeAlert(inputFrom('guard/deletion-scheduled')),
      summary: '€'.repeat(200_000),
      details: { snapshot: 'x'.repeat(300_000) },
      facts: Array.from({ length: 50 }, (_, i) => ({ label: `fact ${i}`, value: 'y'.repeat(10_000) })),
    };
    const { message } = buildSnsMessage(alert);
    expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(SNS_MESSAGE_MAX_BYTES);
    const body = JSON.parse(message);
    expect(body).toMatchObject({ truncated: true, details: null, severity: 'info', id: alert.messageId });
    expect(body.summary.endsWith('…')).toBe(true);
    expect(body.links).toHaveLength(3);
  });
});
