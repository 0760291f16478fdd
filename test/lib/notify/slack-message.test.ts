import { describe, expect, it } from 'vitest';
import { type Alert, describeAlert } from '../../../lib/notify/alert.ts';
import {
  actionBlocks,
  renderSlackMessage,
  SLACK_LIMITS,
  type SlackMessage,
} from '../../../lib/notify/slack-message.ts';
import { listFixtures } from '../../support/fixtures.ts';
import { inputFrom } from './support.ts';

/** Every mrkdwn string of a message: the places Slack would parse mentions and links. */
function mrkdwnTexts(message: SlackMessage): { text: string; verbatim: boolean }[] {
  const out: { text: string; verbatim: boolean }[] = [{ text: message.text, verbatim: true }];
  for (const block of message.blocks) {
    if (block.type === 'section') {
      for (const t of [...(block.text ? [block.text] : []), ...(block.fields ?? [])]) out.push(t);
    }
    if (block.type === 'context') out.push(...block.elements);
  }
  return out;
}

function expectWithinLimits(message: SlackMessage) {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
    }
    if (block.type === 'actions') {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.actionsElements);
      for (const b of block.elements) {
        expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        expect((b.url ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.buttonUrl);
      }
    }
    if (block.type === 'context')
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
  }
}

const hostile = () =>
  describeAlert(
    inputFrom('hostile/mrkdwn-injection', (raw) => {
      // The fixture is a DeploymentFailed, which the rollback outcome reports; render it anyway,
      // and as an unowned failure that would be sent on its own.
      raw.detail.Status = 'PauseServiceFailed';
    }),
  );

describe('renderSlackMessage', () => {
  it('renders header, summary, fields, action taken, link buttons and context', () => {
    const message = renderSlackMessage(describeAlert(inputFrom('guard/rollback-completed')));
    // 13 facts: two sections of fields (a section holds at most ten).
    expect(message.blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'section',
      'actions',
      'context',
    ]);
    const [header, summary, fields, moreFields, action, actions] = message.blocks;
    expect(moreFields).toMatchObject({
      fields: expect.arrayContaining([
        expect.objectContaining({ text: expect.stringMatching(/^\*Trigger\*/) }),
      ]),
    });
    expect(header).toMatchObject({
      type: 'header',
      text: { type: 'plain_text', text: ':large_blue_circle: Rollback Completed: payments-api' },
    });
    expect(summary).toMatchObject({
      text: { type: 'mrkdwn', text: expect.stringMatching(/^Deployment failed; pinned/) },
    });
    expect(fields).toMatchObject({
      fields: expect.arrayContaining([expect.objectContaining({ text: '*Outcome*\nacted' })]),
    });
    expect(action).toMatchObject({ text: { text: '*Action taken:* Done: pin-image.' } });
    expect(actions).toMatchObject({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { text: 'Open in App Runner' },
          url: expect.stringMatching(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\/apprunner\//),
        },
        { type: 'button', text: { text: 'Application logs' } },
        { type: 'button', text: { text: 'Service logs' } },
      ],
    });
    expect(message.text).toMatch(/^\[INFO\] Rollback Completed: payments-api\n/);
    expect(message).toMatchObject({ unfurl_links: false, unfurl_media: false });
  });

  it('keeps the Block Kit shape stable (snapshot alongside the assertions above)', () => {
    expect(renderSlackMessage(describeAlert(inputFrom('guard/rollback-failed')))).toMatchSnapshot();
  });

  it('escapes event text so it cannot mention anyone or hide a link', () => {
    const message = renderSlackMessage(hostile());
    const json = JSON.stringify(message);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://');
    expect(json).toContain(
      '&lt;!channel&gt; rollback now: &lt;https://evil.example/login|click here&gt; &amp; *urgent*',
    );
    for (const t of mrkdwnTexts(message)) {
      // The guard itself never writes <…> sequences in mrkdwn: links are buttons only.
      expect(t.text).not.toMatch(/[<>]/);
      expect(t.verbatim).toBe(true);
    }
    // No button points anywhere the guard did not build itself.
    const urls = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.url) : []));
    expect(urls.every((u) => u?.startsWith('https://us-east-1.console.aws.amazon.com/'))).toBe(true);
  });

  it('escapes the App Runner message a rollback outcome carries', () => {
    const alert = describeAlert(
      inputFrom('guard/rollback-skipped', (raw) => {
        raw.detail.details = {
          failureStatus: 'DeploymentFailed',
          failureMessage: '<!here> see <https://evil.example|the runbook>',
        };
      }),
    );
    expect(alert.summary).toMatch(/\nApp Runner reported DeploymentFailed: <!here> see/);
    const json = JSON.stringify(renderSlackMessage(alert));
    expect(json).not.toContain('<!here>');
    expect(json).toContain('&lt;!here&gt; see &lt;https://evil.example|the runbook&gt;');
  });

  it('stays within Slack limits for every fixture and for oversized text', () => {
    for (const name of listFixtures().filter((f) => /^(apprunner-|guard\/|hostile\/)/.test(f))) {
      expectWithinLimits(renderSlackMessage(describeAlert(inputFrom(name))));
    }
    const base = describeAlert(inputFrom('guard/rollback-skipped'));
    const huge: Alert = {
      ...base,
      title: 'T'.repeat(500),
      summary: '<&>'.repeat(5000),
      actionTaken: 'x'.repeat(5000),
      facts: Array.from({ length: 30 }, (_, i) => ({ label: `f${i}`, value: '&'.repeat(3000) })),
      links: [...base.links, { label: 'L'.repeat(200), url: 'https://example.com/' }],
    };
    const message = renderSlackMessage(huge);
    expectWithinLimits(message);
    // Truncation never leaves half an entity behind.
    for (const t of mrkdwnTexts(message)) expect(t.text).not.toMatch(/&[a-z]{0,3}…/);
  });

  it('says how many alerts a storm collapsed into the message', () => {
    const alert = {
      ...describeAlert(inputFrom('guard/cleanup-failed')),
      storm: { count: 14, from: '2026-11-20T14:04:00Z', to: '2026-11-20T14:12:00Z' },
    };
    const message = renderSlackMessage(alert);
    expect(JSON.stringify(message.blocks)).toContain(
      'Storm: 14 more alerts like this between 2026-11-20T14:04:00Z and 2026-11-20T14:12:00Z',
    );
    expect(message.text).toContain('14 more alerts');
  });
});

describe('action buttons (app mode)', () => {
  const arn = 'arn:aws:apprunner:us-east-1:111122223333:service/web-shop/0123456789abcdef0123456789abcdef';

  it('a heads-up gets one section per service with its Keep running until… button beside it', () => {
    const blocks = actionBlocks([
      {
        id: 'keep-running',
        label: 'Keep running until…',
        service: arn,
        until: '2026-11-20T06:00:00Z',
        note: 'web-shop',
      },
      {
        id: 'keep-running',
        label: 'Keep running until…',
        service: arn,
        until: '2026-11-20T06:00:00Z',
        note: 'web-shop 2',
      },
    ]);
    expect(blocks).toHaveLength(2);
    for (const b of blocks) {
      expect(b).toMatchObject({ type: 'section', accessory: { action_id: 'keep-running' } });
      const value = JSON.parse((b as { accessory: { value: string } }).accessory.value);
      expect(value).toEqual({ service: arn, until: '2026-11-20T06:00:00Z' });
    }
  });

  it('buttons only when asked: the webhook message has none', () => {
    const alert = describeAlert(inputFrom('guard/deletion-scheduled'));
    const ids = (m: ReturnType<typeof renderSlackMessage>) =>
      m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(ids(renderSlackMessage(alert))).not.toContain('keep-service');
    expect(ids(renderSlackMessage(alert, { actions: true }))).toContain('keep-service');
  });
});
