import type { FleetEntry, SandboxReport, TimelineEntry } from './report.ts';

/** Options of {@link renderReport}. */
export interface RenderOptions {
  /**
   * Show everything: full Slack and SNS messages, full digests, and every scheduled run (repeated
   * runs with nothing to do are otherwise collapsed into a count).
   */
  verbose?: boolean;
  /** Width to wrap long texts at. */
  width?: number;
}

const INDENT = ' '.repeat(27);
/** `hh:mm:ss  <symbol> <label>` padded to the text column. */
const head = (t: string, label: string) => `${t}  ${label}`.padEnd(INDENT.length);
const hhmmss = (iso: string) => iso.slice(11, 19);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const day = (iso: string) =>
  `${new Date(iso).toLocaleDateString('en-GB', { weekday: 'short', timeZone: 'UTC' })} ${iso.slice(0, 10)}`;
const shortIso = (iso: string) => iso.replace(/:00\.000Z$/, 'Z').replace(/\.000Z$/, 'Z');

function localTime(iso: string, timeZone: string): string {
  try {
    const t = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    return `${t.format(new Date(iso))} ${timeZone}`;
  } catch {
    return iso;
  }
}

/** Wraps text; the first line after `head`, the others indented by `indent`. */
function block(head: string, text: string, width: number, indent = INDENT): string[] {
  const lines: string[] = [];
  const room = Math.max(20, width - indent.length);
  for (const raw of text.split('\n')) {
    let line = raw;
    while (line.length > room) {
      const cut = line.lastIndexOf(' ', room);
      const at = cut > room / 2 ? cut : room;
      lines.push(line.slice(0, at));
      line = line.slice(at).trimStart();
    }
    lines.push(line);
  }
  return lines.map((l, i) => (i === 0 ? `${head}${l}` : `${indent}${l}`));
}

/**
 * Shortens digests to `sha256:1f3a9c…(label)` with the scenario's label, and drops the registry
 * host, so texts stay readable while a pin still reads as a digest, never as a tag.
 */
function shortener(report: SandboxReport, verbose: boolean): (text: string) => string {
  if (verbose) return (t) => t;
  const labels = report.images
    .filter((i) => i.label)
    .map((i) => ({ hex: i.digest.slice(7), label: i.label! }));
  return (text) =>
    text
      .replace(/\b\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\//g, '')
      .replace(/sha256:([0-9a-f]{8,64})…?/g, (whole, hex: string) => {
        const hit = labels.find((l) => l.hex.startsWith(hex));
        if (hit) return `sha256:${hex.slice(0, 6)}…(${hit.label})`;
        return whole.length > 20 ? `${whole.slice(0, 19)}…` : whole;
      });
}

interface Context {
  width: number;
  verbose: boolean;
  short: (t: string) => string;
  lastReason?: string;
}

function entryLines(
  e: TimelineEntry,
  c: Context,
  next: TimelineEntry | undefined,
): { lines: string[]; skipNext?: boolean } {
  const t = hhmmss(e.time);
  const w = c.width;
  const s = c.short;
  switch (e.kind) {
    case 'step':
      return { lines: block(head(t, '▶ scenario'), s(e.ok ? e.text : `${e.text} — REFUSED: ${e.error}`), w) };
    case 'note':
      return { lines: block(head(t, '· note'), s(e.text), w) };
    case 'event': {
      const to = e.targets.length ? `  → ${e.targets.join(', ')}` : '';
      if (e.guard) {
        const g = e.guard;
        const what = `${e.detailType}${e.service ? ` · ${e.service}` : ''} · ${g.job} ${g.outcome}${g.action && g.action !== 'none' ? ` (${g.action})` : ''}${g.dryRun ? ' [DRY RUN: nothing changed]' : ''}${to}`;
        const why = g.reason === c.lastReason ? '' : `\nwhy: ${g.reason}`;
        return { lines: block(head(t, '⚑ guard event'), s(`${what}${why}`), w) };
      }
      const who = e.origin === 'apprunner' ? '☁ App Runner' : e.origin === 'ecr' ? '☁ ECR' : '✎ injected';
      let text = `${e.service ?? ''} ${e.summary}`.trim();
      let skipNext = false;
      // An operation event and the status change it caused read as one line.
      if (
        next?.kind === 'event' &&
        next.origin === e.origin &&
        !next.guard &&
        next.service === e.service &&
        next.time === e.time &&
        next.summary.includes('→') &&
        !e.summary.includes('→')
      ) {
        text += ` · status ${next.summary}`;
        const nextTo = next.targets.filter((f) => !e.targets.includes(f));
        text += e.targets.length || nextTo.length ? `  → ${[...e.targets, ...nextTo].join(', ')}` : '';
        skipNext = true;
      } else text += to;
      if (e.message && /Failed$/.test(e.summary)) text += `\n“${e.message}”`;
      return { lines: block(head(t, who), s(text), w), skipNext };
    }
    case 'invocation': {
      const retry = e.attempt > 1 ? ` (attempt ${e.attempt})` : '';
      const dup = e.duplicate ? ' (duplicate delivery)' : '';
      const body = e.outcome === 'error' ? `THREW ${e.reason}` : `${e.outcome}: ${e.reason}`;
      return { lines: block(head(t, `λ ${e.function}`), s(`← ${e.trigger}${retry}${dup}\n${body}`), w) };
    }
    case 'on-failure':
      return {
        lines: block(
          head(t, '✖ on-failure'),
          s(
            `${e.function} gave up after ${e.attempts} attempts (${e.trigger}): ${e.error} — the event goes to the DLQ`,
          ),
          w,
        ),
      };
    case 'sns': {
      const attrs = Object.entries(e.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      const body = c.verbose ? `\n${e.message}` : '';
      return {
        lines: block(
          head(t, '✉ SNS'),
          s(`${e.subject ?? '(no subject)'}${attrs ? `  {${attrs}}` : ''}${body}`),
          w,
        ),
      };
    }
    case 'slack':
      return { lines: block(head(t, '# Slack'), s(c.verbose ? e.text : e.summary), w) };
    case 'slack-refused':
      return { lines: block(head(t, '# Slack'), `refused a message: HTTP ${e.status} ${e.reason}`, w) };
    case 'slack-api': {
      const where = `${e.channel ?? ''}${e.threadTs ? ` thread ${e.threadTs}` : ''}${e.ts ? ` ts ${e.ts}` : ''}`;
      const result = e.result === 'ok' ? '' : ` — ${e.result}`;
      const text = (c.verbose ? e.text : (e.text.split('\n')[0] ?? '')).trim();
      return {
        lines: block(head(t, '# Slack app'), s(`${e.method} ${where}${result}${text ? `\n${text}` : ''}`), w),
      };
    }
    case 'schedule':
      if (e.action === 'deployed') return { lines: [] };
      if (e.action === 'fired') {
        return {
          lines: block(
            head(t, '⏰ schedule'),
            `${e.name} fired (${e.expression}, ${localTime(e.time, e.timezone)})`,
            w,
          ),
        };
      }
      return {
        lines: block(
          head(t, '⏰ schedule'),
          `${e.name} ${e.action}: ${e.expression} ${e.timezone}${e.reason ? ` — ${e.reason}` : ''}`,
          w,
        ),
      };
    case 'fault':
      return {
        lines: block(
          head(t, '⚡ fault'),
          `${e.api} ${e.operation} answered HTTP ${e.status} (${e.fault}, injected)`,
          w,
        ),
      };
  }
}

function fleetLines(f: FleetEntry, short: (t: string) => string): string[] {
  const running = f.runningLabel ? ` · running ${f.runningLabel}` : '';
  const out = [`  ${f.name.padEnd(22)} ${f.status.padEnd(14)} configured ${short(f.configured)}${running}`];
  const tags = Object.entries(f.tags);
  if (tags.length) out.push(`  ${''.padEnd(22)} tags: ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  return out;
}

/**
 * Renders a report as the timeline a newcomer can follow: each scenario step, each App Runner
 * event, each function run with its outcome and reason, each guard decision, each SNS and Slack
 * message as text, then the final fleet and a summary with the expectations.
 */
export function renderReport(report: SandboxReport, options: RenderOptions = {}): string {
  const width = options.width ?? 110;
  const verbose = options.verbose ?? false;
  const c: Context = { width, verbose, short: shortener(report, verbose) };
  const out: string[] = [];
  out.push(`Scenario "${report.scenario.name}"${report.scenario.file ? `  (${report.scenario.file})` : ''}`);
  if (report.scenario.description) out.push(...block('  ', report.scenario.description, width, '  '));
  out.push(
    `  simulated time ${shortIso(report.start)} → ${shortIso(report.end)} · seed ${report.scenario.seed}`,
  );
  out.push('');
  out.push(
    'Legend: ▶ what the scenario does   ☁ event App Runner emits   λ a guard function runs (outcome: reason)',
    '        ⚑ event the guard publishes   ✉ SNS message   # Slack message   ⏰ schedule   ⚡ injected fault',
  );

  let currentDay = '';
  const timeline = report.timeline;
  const seen = new Set<string>();
  const collapsed = new Map<string, { count: number; last: string }>();
  const flush = () => {
    for (const [key, v] of collapsed) {
      out.push(
        ...block(
          INDENT,
          `⋯ ${key} — ${v.count} more time${v.count > 1 ? 's' : ''}, last at ${hhmmss(v.last)}`,
          width,
        ),
      );
    }
    collapsed.clear();
  };
  for (let i = 0; i < timeline.length; i++) {
    const e = timeline[i]!;
    // A scheduled run that did nothing, exactly like an earlier one, collapses into a count.
    if (!verbose && e.kind === 'schedule' && e.action === 'fired') {
      const j = timeline.findIndex(
        (x, k) => k > i && x.kind === 'invocation' && x.trigger.startsWith(`schedule ${e.name} @`),
      );
      const run = j > 0 ? timeline[j] : undefined;
      if (run?.kind === 'invocation' && (run.outcome === 'noop' || run.outcome === 'skipped')) {
        const key = `${e.name} → ${run.function} ${run.outcome}: ${run.reason}`;
        if (seen.has(key)) {
          const v = collapsed.get(key) ?? { count: 0, last: e.time };
          v.count++;
          v.last = e.time;
          collapsed.set(key, v);
          timeline.splice(j, 1);
          continue;
        }
        seen.add(key);
      }
    }
    const d = day(e.time);
    if (d !== currentDay) {
      flush();
      currentDay = d;
      out.push('', `── ${d} (times in UTC) ${'─'.repeat(Math.max(0, width - d.length - 22))}`);
    }
    const { lines, skipNext } = entryLines(e, c, timeline[i + 1]);
    if (e.kind === 'invocation') c.lastReason = e.reason;
    out.push(...lines);
    if (skipNext) i++;
  }
  flush();

  out.push('', 'Final state of the fleet');
  for (const f of report.fleet) out.push(...fleetLines(f, c.short));

  const decisions = report.invocations.filter((x) => x.outcome !== 'error');
  const byOutcome = new Map<string, number>();
  for (const x of decisions) byOutcome.set(x.outcome, (byOutcome.get(x.outcome) ?? 0) + 1);
  const faults = report.apiCalls.filter((x) => x.fault).length;
  const threw = report.invocations.length - decisions.length;
  out.push('', 'Summary');
  out.push(
    `  ${report.appRunnerEvents.length} App Runner events · ${report.guardEvents.length} guard events · ${report.invocations.length} function runs (${[...byOutcome].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}${threw ? `, threw ${threw}` : ''})`,
  );
  const refused = report.slackRejections.length
    ? ` (${report.slackRejections.length} refused: HTTP ${[...new Set(report.slackRejections.map((r) => r.status))].join('/')})`
    : '';
  out.push(
    `  ${plural(report.snsMessages.length, 'SNS message')} · ${report.slackMode === 'app' ? `${plural(report.slackCalls.filter((c) => c.result === 'ok').length, 'Slack API call')} (${report.slackCalls.filter((c) => c.result !== 'ok').length} refused)` : `${plural(report.slackMessages.length, 'Slack message')}${refused}`}${report.slackActions.length ? ` · ${plural(report.slackActions.length, 'Slack action request')}` : ''} · ${report.apiCalls.length} AWS API calls${faults ? ` (${faults} failed by injected faults)` : ''}`,
  );
  out.push(
    `  ${plural(report.failedInvocations.length, 'on-failure record')} (events that would reach a DLQ)`,
  );
  for (const f of report.failedInvocations)
    out.push(...block('    ', `${f.function}: ${f.error} (${f.trigger.label})`, width, '      '));
  const x = report.expectations;
  out.push(
    '',
    x.passed
      ? `Expectations: all ${x.checked} met ✔`
      : `Expectations: ${x.failures.length} of ${x.checked} NOT met ✘`,
  );
  for (const f of x.failures) out.push(...block('  ✘ ', f, width, '    '));
  if (x.pending.length) {
    out.push(
      `Pending expectations (reported, not enforced): ${x.pending.filter((p) => p.wouldPass).length} of ${x.pending.length} would pass`,
    );
    for (const p of x.pending) {
      out.push(
        ...block(
          `  ${p.wouldPass ? '✔' : '…'} `,
          `${p.expectation}${p.detail ? ` — ${p.detail}` : ''}${p.note ? ` (${p.note})` : ''}`,
          width,
          '    ',
        ),
      );
    }
  }
  out.push(`(${report.elapsedMs} ms of real time)`);
  return `${out.join('\n')}\n`;
}
