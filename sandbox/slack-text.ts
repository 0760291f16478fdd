type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Renders Slack mrkdwn as a reader sees it: links as `label (url)`, entities decoded. */
export function renderMrkdwn(text: string): string {
  return text
    .replace(/<([^|<>]+)\|([^<>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^<>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const textOf = (v: unknown): string => (isObj(v) && typeof v.text === 'string' ? renderMrkdwn(v.text) : '');

/**
 * Renders a Slack message (Block Kit, or the plain `text` fallback) as plain text, the way the
 * sandbox timeline shows it: header, sections and fields, context, buttons with their URLs.
 */
export function renderSlackText(payload: Obj): string {
  const blocks = Array.isArray(payload.blocks) ? payload.blocks : [];
  if (blocks.length === 0) return typeof payload.text === 'string' ? renderMrkdwn(payload.text) : '';
  const lines: string[] = [];
  for (const b of blocks) {
    if (!isObj(b)) continue;
    switch (b.type) {
      case 'header':
        lines.push(`*${textOf(b.text)}*`);
        break;
      case 'section': {
        const t = textOf(b.text);
        if (t) lines.push(t);
        if (Array.isArray(b.fields))
          for (const f of b.fields) lines.push(`  ${textOf(f).replace(/\n/g, ' ')}`);
        break;
      }
      case 'context':
        if (Array.isArray(b.elements)) lines.push(b.elements.map(textOf).filter(Boolean).join(' · '));
        break;
      case 'divider':
        lines.push('—');
        break;
      case 'actions':
        if (Array.isArray(b.elements)) {
          lines.push(
            b.elements
              .filter(isObj)
              .map((e) => `[${textOf(e.text)}]${typeof e.url === 'string' ? ` ${e.url}` : ''}`)
              .join('  '),
          );
        }
        break;
      default:
        if (isObj(b.text)) lines.push(textOf(b.text));
    }
  }
  return lines.filter((l) => l !== '').join('\n');
}

/**
 * A compact rendering for the timeline: the header, the main text, the first few fields on one
 * line, and the button labels (URLs left out).
 */
export function renderSlackSummary(payload: Obj, maxFields = 6): string {
  const blocks = Array.isArray(payload.blocks) ? payload.blocks.filter(isObj) : [];
  if (blocks.length === 0) return typeof payload.text === 'string' ? renderMrkdwn(payload.text) : '';
  const lines: string[] = [];
  const fields: string[] = [];
  const buttons: string[] = [];
  let sections = 0;
  for (const b of blocks) {
    if (b.type === 'header') lines.push(`*${textOf(b.text)}*`);
    else if (b.type === 'section') {
      const t = textOf(b.text);
      if (t && sections++ < 2) lines.push(t);
      if (Array.isArray(b.fields))
        for (const f of b.fields) fields.push(textOf(f).replace(/\*/g, '').replace(/\n/g, ': '));
    } else if (b.type === 'actions' && Array.isArray(b.elements)) {
      for (const e of b.elements) if (isObj(e)) buttons.push(`[${textOf(e.text)}]`);
    }
  }
  if (fields.length)
    lines.push(
      `${fields.slice(0, maxFields).join(' · ')}${fields.length > maxFields ? ` · (+${fields.length - maxFields} fields)` : ''}`,
    );
  if (buttons.length) lines.push(buttons.join(' '));
  return lines.join('\n');
}
