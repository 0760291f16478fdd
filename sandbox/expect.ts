import type { BusEvent } from './eventbridge.ts';
import { digestOf } from './images.ts';
import type { ExpectationResult, SandboxReport } from './report.ts';
import type { Expectations } from './scenario.ts';

type Report = Omit<SandboxReport, 'expectations'>;
type Matcher = { count?: number; min?: number; max?: number; pending?: boolean | string } & Record<
  string,
  unknown
>;

const COUNT_KEYS = new Set(['count', 'min', 'max', 'pending']);

function label(kind: string, m: Matcher): string {
  const fields = Object.entries(m).filter(([k]) => !COUNT_KEYS.has(k));
  return `${kind} ${fields.length ? `{${fields.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}` : '(any)'}`;
}

function countProblem(m: Matcher, found: number): string | undefined {
  if (m.count !== undefined)
    return found === m.count ? undefined : `expected exactly ${m.count}, found ${found}`;
  const min = m.min ?? (m.max === undefined ? 1 : 0);
  if (found < min) return `expected at least ${min}, found ${found}`;
  if (m.max !== undefined && found > m.max) return `expected at most ${m.max}, found ${found}`;
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Fields of an event that expectations match on, in either App Runner spelling. */
function eventFields(e: BusEvent) {
  const d = e.detail;
  const service = d.service as { name?: unknown } | undefined;
  return {
    source: e.source,
    detailType: e['detail-type'],
    status: str(d.Status) ?? str(d.operationStatus) ?? str(d.CurrentStatus) ?? str(d.currentServiceStatus),
    service: str(d.ServiceName) ?? str(d.serviceName) ?? str(service?.name),
    job: str(d.job),
    outcome: str(d.outcome),
    action: str(d.action),
    dryRun: typeof d.dryRun === 'boolean' ? d.dryRun : undefined,
    reason: str(d.reason) ?? '',
  };
}

/**
 * Evaluates a scenario's `expect:` block against a run. Each list entry matches items by its
 * fields and checks how many matched (`count` exactly, or `min`/`max`; at least one by default).
 * Entries marked `pending` are evaluated and reported but never fail the run.
 */
export function evaluateExpectations(
  expect: Expectations,
  report: Report,
  expand: (image: string) => string,
): ExpectationResult {
  const failures: string[] = [];
  const pending: ExpectationResult['pending'] = [];
  let checked = 0;
  const verdict = (description: string, problem: string | undefined, m: { pending?: boolean | string }) => {
    if (m.pending !== undefined && m.pending !== false) {
      pending.push({
        expectation: description,
        wouldPass: problem === undefined,
        ...(typeof m.pending === 'string' ? { note: m.pending } : {}),
        ...(problem ? { detail: problem } : {}),
      });
      return;
    }
    checked++;
    if (problem) failures.push(`${description}: ${problem}`);
  };
  const list = <T>(
    kind: string,
    matchers: Matcher[] | undefined,
    items: readonly T[],
    match: (m: Matcher, item: T) => boolean,
  ) => {
    for (const m of matchers ?? []) {
      const found = items.filter((item) => match(m, item)).length;
      verdict(label(kind, m), countProblem(m, found), m);
    }
  };
  const eq = (want: unknown, got: unknown) => want === undefined || want === got;
  const has = (want: unknown, text: string | undefined) =>
    want === undefined || (text ?? '').toLowerCase().includes(String(want).toLowerCase());

  for (const [name, want] of Object.entries(expect.services ?? {})) {
    // `<account>/<region>/<name>` in a target; a plain name is the hub's (the scenario's account
    // and region), else — in a report without targets — the one service of that name.
    const m = /^(\d{12})\/([^/]+)\/(.+)$/.exec(name);
    const hubName = (f: Report['fleet'][number]) =>
      f.name === name &&
      (!report.hub || (f.account === report.hub.account && f.region === report.hub.region));
    const s = report.fleet.find((f) =>
      m ? f.account === m[1] && f.region === m[2] && f.name === m[3] : hubName(f),
    );
    const problems: string[] = [];
    if (!s) problems.push('no such service');
    else {
      if (want.status && s.status !== want.status)
        problems.push(`status is ${s.status}, expected ${want.status}`);
      if (want.image && s.configured !== expand(want.image)) {
        problems.push(`configured image is ${s.configuredLabel}, expected ${want.image}`);
      }
      if (want.running && s.running !== digestOf(want.running)) {
        problems.push(`runs ${s.runningLabel ?? '(nothing)'}, expected ${want.running}`);
      }
      for (const [k, v] of Object.entries(want.tags ?? {})) {
        if (v === null && k in s.tags) problems.push(`has tag ${k}=${s.tags[k]}, expected none`);
        if (v !== null && s.tags[k] !== v)
          problems.push(`tag ${k} is ${s.tags[k] ?? '(absent)'}, expected ${v}`);
      }
    }
    verdict(`service ${name}`, problems.length ? problems.join('; ') : undefined, want);
  }

  list('events', expect.events, report.events, (m, r) => {
    const f = eventFields(r.event);
    return (
      eq(m.source, f.source) &&
      eq(m.detailType, f.detailType) &&
      eq(m.status, f.status) &&
      eq(m.service, f.service) &&
      eq(m.job, f.job) &&
      eq(m.outcome, f.outcome) &&
      eq(m.action, f.action) &&
      eq(m.dryRun, f.dryRun) &&
      has(m.reasonContains, f.reason)
    );
  });
  list(
    'invocations',
    expect.invocations,
    report.invocations,
    (m, i) =>
      eq(m.function, i.function) &&
      eq(m.outcome, i.outcome) &&
      has(m.reasonContains, i.reason) &&
      has(m.trigger, i.trigger.label),
  );
  list('failedInvocations', expect.failedInvocations, report.failedInvocations, (m, f) =>
    eq(m.function, f.function),
  );
  list('sns', expect.sns, report.snsMessages, (m, s) => {
    const attrs = (m.attributes ?? {}) as Record<string, string>;
    return (
      has(m.subjectContains, s.subject) &&
      has(m.contains, s.message) &&
      Object.entries(attrs).every(([k, v]) => s.attributes[k] === v)
    );
  });
  if (report.slackMode === 'app') {
    list('slack', expect.slack, report.slackCalls, (m, c) => {
      return (
        eq(m.method, c.method) &&
        (m.thread === undefined || m.thread === (c.threadTs !== undefined)) &&
        eq(m.channel, c.channel) &&
        (m.ok === undefined || m.ok === (c.result === 'ok')) &&
        has(m.contains, c.text)
      );
    });
  } else {
    list('slack', expect.slack, report.slackMessages, (m, s) =>
      has(m.contains, `${s.text}\n${JSON.stringify(s.payload)}`),
    );
  }
  list(
    'slackActions',
    expect.slackActions,
    report.slackActions,
    (m, a) =>
      eq(m.action, a.action) &&
      eq(m.service, a.service) &&
      eq(m.user, a.user) &&
      eq(m.status, a.status) &&
      eq(m.outcome, a.outcome),
  );
  list(
    'apiCalls',
    expect.apiCalls,
    report.apiCalls,
    (m, c) =>
      eq(m.api, c.api) &&
      eq(m.operation, c.operation) &&
      eq(m.error, c.error) &&
      (m.ok === undefined || m.ok === c.status < 400) &&
      (m.fault === undefined || m.fault === !!c.fault),
  );
  list(
    'schedules',
    expect.schedules,
    report.schedules.log,
    (m, s) => eq(m.kind, s.kind) && has(m.nameContains, s.name),
  );

  return { passed: failures.length === 0, failures, pending, checked };
}
