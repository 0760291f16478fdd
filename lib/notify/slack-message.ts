import type { Alert, AlertAction, Severity } from './alert.ts';
import { mrkdwn, singleLine, truncate } from './text.ts';

/**
 * Slack's Block Kit limits (docs.slack.dev, Block Kit reference): a message holds at most 50
 * blocks; a header's plain text 150 characters; a section's text 3000; a section at most 10
 * fields of 2000 each; an actions block 25 elements; a button's text 75 and its URL 3000; a
 * context block 10 elements. The top-level `text` is truncated by Slack past 40,000 characters;
 * we keep it far shorter, as the notification preview.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  contextElements: 10,
  fallbackText: 3000,
} as const;

/** A mrkdwn text object. `verbatim` stops Slack auto-linking URLs and names found in event text. */
interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  verbatim: true;
}
interface PlainText {
  type: 'plain_text';
  text: string;
  emoji: boolean;
}
/** A link button (`url`) or an action button (`value`, answered at the slack-actions endpoint). */
export interface SlackButton {
  type: 'button';
  text: PlainText;
  url?: string;
  value?: string;
  action_id: string;
  style?: 'danger' | 'primary';
}
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: MrkdwnText; fields?: MrkdwnText[]; accessory?: SlackButton }
  | { type: 'context'; elements: MrkdwnText[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: SlackButton[] };

/** The JSON body posted to an incoming webhook. */
export interface SlackMessage {
  /** Plain-text fallback: notifications, screen readers, clients without Block Kit. */
  text: string;
  blocks: SlackBlock[];
  unfurl_links: false;
  unfurl_media: false;
}

const MAX_FIELD_SECTIONS = 3;
/** Buttons of one service each (a heads-up) beyond this are listed as text: the 50-block limit. */
const MAX_ACTION_SECTIONS = 20;

/** Options of {@link renderSlackMessage}. */
export interface RenderOptions {
  /** Adds the alert's action buttons (app mode: the slack-actions endpoint answers them). */
  actions?: boolean;
  /** A user group to mention (`<!subteam^ID>`), in the fallback text (the notification). */
  mention?: string;
}

/** The button of an action; the value is the JSON the slack-actions endpoint parses. */
export function actionButton(action: AlertAction): SlackButton {
  return {
    type: 'button',
    text: plain(action.label, SLACK_LIMITS.buttonText),
    action_id: action.id,
    value: JSON.stringify({ service: action.service, ...(action.until ? { until: action.until } : {}) }),
    ...(action.id === 'rollback' ? { style: 'danger' as const } : { style: 'primary' as const }),
  };
}

/**
 * The action buttons of an alert: one actions block of the per-service-once actions; a heads-up
 * (one service per action, same id) gets one section per service with its button beside it, since
 * an action id is unique within a block.
 */
export function actionBlocks(actions: readonly AlertAction[]): SlackBlock[] {
  const perService = actions.filter((a) => a.note !== undefined);
  const plainActions = actions.filter((a) => a.note === undefined);
  const blocks: SlackBlock[] = [];
  if (plainActions.length > 0) {
    const seen = new Set<string>();
    const unique = plainActions.filter((a) => !seen.has(a.id) && seen.add(a.id));
    blocks.push({ type: 'actions', elements: unique.map(actionButton) });
  }
  for (const a of perService.slice(0, MAX_ACTION_SECTIONS)) {
    blocks.push({ type: 'section', text: md(a.note!, SLACK_LIMITS.sectionText), accessory: actionButton(a) });
  }
  if (perService.length > MAX_ACTION_SECTIONS) {
    blocks.push({
      type: 'context',
      elements: [
        md(
          `${perService.length - MAX_ACTION_SECTIONS} more services are listed in the guard event; keep them running with \`guard resume --until\`.`,
          SLACK_LIMITS.sectionText,
        ),
      ],
    });
  }
  return blocks;
}

const ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

/** The icon of a severity (headers, incident parents). */
export function severityIcon(severity: Severity): string {
  return ICON[severity];
}

const md = (text: string, max: number): MrkdwnText => ({
  type: 'mrkdwn',
  text: mrkdwn(text, max),
  verbatim: true,
});
const plain = (text: string, max: number): PlainText => ({
  type: 'plain_text',
  text: truncate(singleLine(text), max),
  emoji: true,
});

/** "… and 14 more like this between 14:03:10Z and 14:11:52Z" */
export function stormLine(storm: NonNullable<Alert['storm']>): string {
  const noun = storm.count === 1 ? 'alert' : 'alerts';
  return `Storm: ${storm.count} more ${noun} like this between ${storm.from} and ${storm.to} were collapsed into this message.`;
}

/**
 * Renders an alert as a Slack incoming-webhook message: header, summary, fields, action taken,
 * storm count, link buttons and a context line, with a plain-text fallback. All text that can come
 * from an event is escaped for mrkdwn and marked `verbatim`, so it cannot mention anyone or hide a
 * link; links appear only as buttons the guard built itself.
 */
export function renderSlackMessage(alert: Alert, options: RenderOptions = {}): SlackMessage {
  const blocks: SlackBlock[] = [
    { type: 'header', text: plain(`${ICON[alert.severity]} ${alert.title}`, SLACK_LIMITS.headerText) },
    { type: 'section', text: md(alert.summary, SLACK_LIMITS.sectionText) },
  ];
  // Up to three sections of ten fields: a section holds at most ten.
  const facts = alert.facts.slice(0, SLACK_LIMITS.fields * MAX_FIELD_SECTIONS);
  for (let i = 0; i < facts.length; i += SLACK_LIMITS.fields) {
    const fields = facts
      .slice(i, i + SLACK_LIMITS.fields)
      .map((f) => md(`*${singleLine(f.label)}*\n${f.value}`, SLACK_LIMITS.fieldText));
    blocks.push({ type: 'section', fields });
  }
  blocks.push({
    type: 'section',
    text: md(`*Action taken:* ${alert.actionTaken}`, SLACK_LIMITS.sectionText),
  });
  if (alert.storm) {
    blocks.push({ type: 'context', elements: [md(stormLine(alert.storm), SLACK_LIMITS.sectionText)] });
  }
  const buttons = alert.links
    .filter((l) => l.url.length <= SLACK_LIMITS.buttonUrl && /^https:\/\//.test(l.url))
    .slice(0, SLACK_LIMITS.actionsElements)
    .map((l, i) => ({
      type: 'button' as const,
      text: plain(l.label, SLACK_LIMITS.buttonText),
      url: l.url,
      action_id: `link-${i}`,
    }));
  if (options.mention) blocks.splice(1, 0, mentionBlock(options.mention));
  if (options.actions && alert.actions) blocks.push(...actionBlocks(alert.actions));
  if (buttons.length > 0) blocks.push({ type: 'actions', elements: buttons });
  blocks.push({
    type: 'context',
    elements: [
      md(`apprunner-guard · ${alert.source} · ${alert.detailType} · event ${alert.messageId}`, 2000),
    ],
  });

  const fallback = [
    `[${alert.severity.toUpperCase()}] ${alert.title}`,
    alert.summary,
    `Action taken: ${alert.actionTaken}`,
    ...(alert.storm ? [stormLine(alert.storm)] : []),
  ].join('\n');
  return {
    text: withMention(mrkdwn(fallback, SLACK_LIMITS.fallbackText), options.mention),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** A section that mentions a user group (explicit `<!subteam^…>` markup is rendered even when verbatim). */
export function mentionBlock(group: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: `<!subteam^${group}>`, verbatim: true } };
}

/** Prefixes a user-group mention (the guard's own id, validated by config; never event text). */
export function withMention(text: string, group: string | undefined): string {
  return group ? `<!subteam^${group}> ${text}` : text;
}
