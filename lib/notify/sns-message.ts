import type { Alert } from './alert.ts';
import { snsSubject, truncate } from './text.ts';

/**
 * SNS takes at most 256 KiB (262,144 bytes) per publish, message attributes included. The message
 * body is kept under this budget so attributes and subject always fit.
 */
export const SNS_MESSAGE_MAX_BYTES = 250_000;

/** The String message attributes subscribers filter on (subscription filter policies). */
export interface SnsAttributes {
  severity: string;
  service: string;
  status: string;
  job: string;
  dryRun: string;
}

/** What the SNS adapter publishes. */
export interface SnsMessage {
  subject: string;
  /** JSON text, always valid, at most {@link SNS_MESSAGE_MAX_BYTES} bytes of UTF-8. */
  message: string;
  attributes: SnsAttributes;
}

/** Version of the JSON body, for subscribers that parse it. */
export const SNS_MESSAGE_VERSION = 1;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Builds the SNS publish for an alert: a JSON body (everything a machine subscriber needs, links
 * included), an ASCII subject under 100 characters, and String attributes `severity`, `service`
 * (`fleet` when the alert is about no single service), `status`, `job` and `dryRun`.
 *
 * An oversized body is cut down step by step, re-serialized each time so it stays valid JSON:
 * first the guard's `details` are dropped, then long strings are shortened, then facts are dropped.
 */
export function buildSnsMessage(alert: Alert): SnsMessage {
  const severityTag = alert.severity.toUpperCase();
  const subject = snsSubject(`[${severityTag}] ${alert.title}`);
  const attributes: SnsAttributes = {
    severity: alert.severity,
    service: alert.service?.name ?? 'fleet',
    status: alert.status,
    job: alert.job,
    dryRun: String(alert.dryRun),
  };
  const body = {
    version: SNS_MESSAGE_VERSION,
    id: alert.messageId,
    time: alert.time,
    severity: alert.severity,
    title: alert.title,
    summary: alert.summary,
    actionTaken: alert.actionTaken,
    service: alert.service ?? null,
    status: alert.status,
    job: alert.job,
    source: alert.source,
    detailType: alert.detailType,
    dryRun: alert.dryRun,
    facts: alert.facts,
    links: alert.links,
    storm: alert.storm ?? null,
    details: alert.details ?? null,
    truncated: false,
  };
  let message = JSON.stringify(body);
  if (bytes(message) <= SNS_MESSAGE_MAX_BYTES) return { subject, message, attributes };

  body.truncated = true;
  body.details = null;
  message = JSON.stringify(body);
  for (const max of [4000, 1000, 200]) {
    if (bytes(message) <= SNS_MESSAGE_MAX_BYTES) break;
    body.summary = truncate(alert.summary, max);
    body.actionTaken = truncate(alert.actionTaken, max);
    body.title = truncate(alert.title, max);
    body.facts = alert.facts.map((f) => ({ label: truncate(f.label, 100), value: truncate(f.value, max) }));
    message = JSON.stringify(body);
  }
  if (bytes(message) > SNS_MESSAGE_MAX_BYTES) {
    body.facts = [];
    body.links = body.links.filter((l) => l.url.length <= 3000);
    message = JSON.stringify(body);
  }
  return { subject, message, attributes };
}
