import type { Prng } from './prng.ts';
import { type Scenario, toEpoch } from './scenario.ts';

/**
 * When a fault applies: with probability `rate`, or to the first `times` matching requests, or
 * (neither given) always — each optionally limited to some operations and to a window of
 * simulated time.
 */
export interface FaultRule {
  rate?: number;
  times?: number;
  operations?: string[];
  /** Epoch ms (simulated) from which the rule applies. */
  from?: number;
  /** Epoch ms (simulated) until which the rule applies (exclusive). */
  until?: number;
}

/** Faults of one AWS stand-in. */
export interface ApiFaults {
  /**
   * HTTP 400 `ThrottlingException` (429 `ThrottlingException` for Scheduler, 403 `RequestThrottled`
   * for SQS, as their models say).
   */
  throttle?: FaultRule;
  /** HTTP 429 `TooManyRequestsException`. */
  tooManyRequests?: FaultRule;
  /** HTTP 500 with the service's internal-error code. */
  serverError?: FaultRule;
  /**
   * Any other error the service answers with, by its code (e.g. SNS `KMSThrottlingException` on an
   * encrypted topic): HTTP `status` (default 400) with that code, shaped by the service's protocol.
   */
  error?: NamedErrorRule;
  /** Real milliseconds added to every request (the only real waiting the sandbox does). */
  latencyMs?: number;
  /** At most this many requests per real second; beyond it, 400 `ThrottlingException`. */
  maxRequestsPerSecond?: number;
}

/** A fault answering with a named error code. */
export type NamedErrorRule = FaultRule & { code: string; status?: number; message?: string };

/** Faults of the Slack webhook receiver. */
export interface SlackFaults {
  /** Extra 429s on top of the 1 message/second limit. */
  rateLimited?: FaultRule;
  /** HTTP 500/503: Slack is down. */
  outage?: FaultRule & { status?: number };
  latencyMs?: number;
}

/** Faults of the bus (EventBridge → Lambda delivery). */
export interface DeliveryFaults {
  /** Delivers an event a second time, a little later. */
  duplicate?: FaultRule;
  /** Delivers events in random order within this many seconds of their emission. */
  shuffleSeconds?: number;
}

export type ApiName =
  | 'apprunner'
  | 'ecr'
  | 'ssm'
  | 'sns'
  | 'eventbridge'
  | 'scheduler'
  | 'sqs'
  | 'cloudwatch'
  | 'tagging'
  | 'sts'
  | 'organizations';
export const API_NAMES: readonly ApiName[] = [
  'apprunner',
  'ecr',
  'ssm',
  'sns',
  'eventbridge',
  'scheduler',
  'sqs',
  'cloudwatch',
  'tagging',
  'sts',
  'organizations',
];

/** Every fault of a scenario. */
export interface Faults {
  api: Partial<Record<ApiName, ApiFaults>>;
  slack: SlackFaults;
  delivery: DeliveryFaults;
}

export const NO_FAULTS: Faults = { api: {}, slack: {}, delivery: {} };

/** Decides rule by rule whether a fault applies, counting `times` and drawing from a seeded stream. */
export class FaultDice {
  private used = new Map<FaultRule, number>();

  constructor(private readonly prng: Prng) {}

  /** True when the rule applies to this request at simulated time `now`. */
  roll(rule: FaultRule | undefined, operation: string, now: number): boolean {
    if (!rule) return false;
    if (rule.operations && !rule.operations.includes(operation)) return false;
    if (rule.from !== undefined && now < rule.from) return false;
    if (rule.until !== undefined && now >= rule.until) return false;
    if (rule.times !== undefined) {
      const used = this.used.get(rule) ?? 0;
      if (used < rule.times) {
        this.used.set(rule, used + 1);
        return true;
      }
      return rule.rate !== undefined && this.prng.chance(rule.rate);
    }
    if (rule.rate !== undefined) return this.prng.chance(rule.rate);
    return true;
  }
}

/** A token-less limiter over real time: at most `perSecond` requests in any one-second window. */
export class RealRateLimiter {
  private stamps: number[] = [];

  constructor(private readonly perSecond: number) {}

  /** Records a request; false when it exceeds the limit. */
  admit(nowMs: number): boolean {
    while (this.stamps.length > 0 && this.stamps[0]! <= nowMs - 1000) this.stamps.shift();
    if (this.stamps.length >= this.perSecond) return false;
    this.stamps.push(nowMs);
    return true;
  }
}

function toRule(value: number | Record<string, unknown> | undefined, start: number): FaultRule | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { rate: value };
  const { from, until, ...rest } = value as { from?: string; until?: string } & Record<string, unknown>;
  return {
    ...(rest as FaultRule),
    ...(from ? { from: toEpoch(from, start) } : {}),
    ...(until ? { until: toEpoch(until, start) } : {}),
  };
}

/** The faults a scenario injects, with its times resolved against its start. */
export function scenarioFaults(s: Scenario, start: number): Faults {
  const f = s.faults;
  const api: Faults['api'] = {};
  for (const name of API_NAMES) {
    const a = f[name];
    if (!a) continue;
    api[name] = {
      ...(a.throttle !== undefined ? { throttle: toRule(a.throttle, start)! } : {}),
      ...(a.tooManyRequests !== undefined ? { tooManyRequests: toRule(a.tooManyRequests, start)! } : {}),
      ...(a.serverError !== undefined ? { serverError: toRule(a.serverError, start)! } : {}),
      ...(a.error !== undefined
        ? { error: toRule(a.error as unknown as Record<string, unknown>, start) as NamedErrorRule }
        : {}),
      ...(a.latencyMs !== undefined ? { latencyMs: a.latencyMs } : {}),
      ...(a.maxRequestsPerSecond !== undefined ? { maxRequestsPerSecond: a.maxRequestsPerSecond } : {}),
    };
  }
  const outage = f.slack?.outage;
  return {
    api,
    slack: {
      ...(f.slack?.rateLimited !== undefined ? { rateLimited: toRule(f.slack.rateLimited, start)! } : {}),
      ...(outage !== undefined
        ? {
            outage: {
              ...toRule(outage as number | Record<string, unknown>, start)!,
              ...(typeof outage === 'object' && outage.status ? { status: outage.status } : {}),
            },
          }
        : {}),
      ...(f.slack?.latencyMs !== undefined ? { latencyMs: f.slack.latencyMs } : {}),
    },
    delivery: {
      ...(f.delivery?.duplicate !== undefined ? { duplicate: toRule(f.delivery.duplicate, start)! } : {}),
      ...(f.delivery?.shuffleSeconds !== undefined ? { shuffleSeconds: f.delivery.shuffleSeconds } : {}),
    },
  };
}
