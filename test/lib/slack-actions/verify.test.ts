import { describe, expect, it } from 'vitest';
import { parseSlackActionBody, slackActionKey } from '../../../lib/slack-actions/payload.ts';
import { signSlackRequest, verifySlackRequest } from '../../../lib/slack-actions/verify.ts';
import {
  actionPayload,
  formBody,
  NOW,
  NOW_S,
  SERVICE_ARN,
  SIGNING_SECRET,
  signedHeaders,
} from './support.ts';

const verify = (headers: Record<string, string>, rawBody: string, maxBodyBytes?: number) =>
  verifySlackRequest({
    headers,
    rawBody,
    now: NOW,
    signingSecret: SIGNING_SECRET,
    ...(maxBodyBytes ? { maxBodyBytes } : {}),
  });

describe('verifySlackRequest', () => {
  const body = formBody(actionPayload());

  it('accepts a request signed with the signing secret', () => {
    expect(verify(signedHeaders(body), body)).toEqual({ ok: true, body, timestamp: NOW_S });
  });

  it("matches Slack's documented example signature", () => {
    // The example of Slack's "Verifying requests from Slack" guide.
    const exampleBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, exampleBody)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('header names are case-insensitive', () => {
    const h = signedHeaders(body);
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verify(upper, body).ok).toBe(true);
  });

  it.each([
    ['unsigned', (h: Record<string, string>) => ({ ...h, 'x-slack-signature': '' })],
    [
      'without a timestamp',
      (h: Record<string, string>) => ({ 'x-slack-signature': h['x-slack-signature']! }),
    ],
    ['signed with another secret', () => signedHeaders(body, NOW_S, 'another-secret')],
    [
      'with a truncated signature',
      (h: Record<string, string>) => ({ ...h, 'x-slack-signature': h['x-slack-signature']!.slice(0, 20) }),
    ],
    [
      'with a v1 signature',
      (h: Record<string, string>) => ({
        ...h,
        'x-slack-signature': h['x-slack-signature']!.replace('v0=', 'v1='),
      }),
    ],
  ])('refuses a request %s with 401', (_, make) => {
    const r = verify(make(signedHeaders(body)), body);
    expect(r).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a body changed after signing with 401', () => {
    const other = formBody(actionPayload({ action: 'rollback' }));
    expect(verify(signedHeaders(body), other)).toMatchObject({
      ok: false,
      status: 401,
      reason: 'the signature does not match',
    });
  });

  it('refuses a correctly signed request 6 minutes old, and one 6 minutes in the future', () => {
    const stale = verify(signedHeaders(body, NOW_S - 360), body);
    expect(stale).toMatchObject({ ok: false, status: 401 });
    expect(stale.ok === false && stale.reason).toContain('360 s old');
    const future = verify(signedHeaders(body, NOW_S + 360), body);
    expect(future).toMatchObject({ ok: false, status: 401 });
    expect(future.ok === false && future.reason).toContain('in the future');
  });

  it('accepts a request just inside the five-minute window either way', () => {
    expect(verify(signedHeaders(body, NOW_S - 300), body).ok).toBe(true);
    expect(verify(signedHeaders(body, NOW_S + 300), body).ok).toBe(true);
  });

  it('refuses a malformed timestamp with 400', () => {
    expect(verify({ ...signedHeaders(body), 'x-slack-request-timestamp': 'yesterday' }, body)).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('refuses an oversized body with 413 before hashing it', () => {
    const big = `payload=${'x'.repeat(70_000)}`;
    expect(verify(signedHeaders(big), big)).toMatchObject({ ok: false, status: 413 });
    expect(verify(signedHeaders(body), body, 100)).toMatchObject({ ok: false, status: 413 });
  });
});

describe('parseSlackActionBody', () => {
  it('reads the action, the service, the user and the action ts', () => {
    const r = parseSlackActionBody(formBody(actionPayload()));
    expect(r).toEqual({
      ok: true,
      request: {
        action: 'keep-service',
        service: expect.objectContaining({ arn: SERVICE_ARN, name: 'checkout-api', account: '111122223333' }),
        user: { id: 'U0ONCALL', name: 'oncall.engineer', teamId: 'T0GUARD' },
        actionTs: `${NOW_S}.000200`,
        channelId: 'C0ONCALL',
        messageTs: '1796050000.000100',
      },
    });
  });

  it('keep-running carries its time, from the value or a date-time picker', () => {
    const r = parseSlackActionBody(
      formBody(actionPayload({ action: 'keep-running', until: '2026-11-30T20:00:00+01:00' })),
    );
    expect(r.ok && r.request.until).toBe('2026-11-30T19:00:00.000Z');
    const picked = actionPayload({ action: 'keep-running' });
    (picked.actions as Array<Record<string, unknown>>)[0]!.selected_date_time = NOW_S + 3600;
    const p = parseSlackActionBody(formBody(picked));
    expect(p.ok && p.request.until).toBe('2026-11-30T16:00:00.000Z');
    expect(parseSlackActionBody(formBody(actionPayload({ action: 'keep-running' })))).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it.each([
    ['no payload field', 'text=hello'],
    ['payload that is not JSON', 'payload=%7Bnope'],
    ['an unknown action id', formBody(actionPayload({ action: 'delete-everything' }))],
    ['a view_submission', formBody({ ...actionPayload(), type: 'view_submission' })],
    [
      'a value without a service ARN',
      formBody(actionPayload({ value: JSON.stringify({ service: 'checkout-api' }) })),
    ],
    ['a value that is not JSON', formBody(actionPayload({ value: 'keep it' }))],
    ['a bad user id', formBody({ ...actionPayload(), user: { id: 'root' } })],
    ['two actions', formBody({ ...actionPayload(), actions: [{}, {}] })],
  ])('rejects %s with 400', (_, body) => {
    expect(parseSlackActionBody(body)).toMatchObject({ ok: false, status: 400 });
  });

  it('the idempotency key is one click: action ts, user and action', () => {
    const r = parseSlackActionBody(formBody(actionPayload()));
    expect(r.ok && slackActionKey(r.request)).toBe(`slack#${NOW_S}.000200#U0ONCALL#keep-service`);
  });
});
