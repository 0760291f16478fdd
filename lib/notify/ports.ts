import type { SlackMessage } from './slack-message.ts';
import type { SnsMessage } from './sns-message.ts';
import type { StormWindow } from './storm.ts';

/** Port: publishes to the alert topic. */
export interface SnsPort {
  publish(message: SnsMessage): Promise<void>;
}

/** Port: posts to the Slack incoming webhook. */
export interface SlackPort {
  /**
   * Posts one message. Throws a retryable error on 429 (when `Retry-After` does not fit in
   * `remainingMs`), 5xx, network errors and timeouts; a terminal error on other 4xx.
   */
  post(message: SlackMessage, options: { remainingMs(): number }): Promise<void>;
}

export type Channel = 'sns' | 'slack';

/** Port: the notifier's state in the ledger table. */
export interface NotifyLedger {
  /** Whether `messageId` was already delivered on `channel`. */
  wasDelivered(messageId: string, channel: Channel): Promise<boolean>;
  /** Records a delivery (after the channel accepted the message). */
  recordDelivery(messageId: string, channel: Channel, at: string): Promise<void>;
  /** The storm window of a dedup key, if any. */
  getStorm(key: string): Promise<StormWindow | undefined>;
  /** Every storm window with unreported collapsed alerts. */
  listPendingStorms(): Promise<StormWindow[]>;
  /**
   * Opens a new window with `window` (count reset), provided the item is still as `previous` was
   * read (same opener, same collapsed total). Returns false when it changed meanwhile.
   */
  openStorm(window: StormWindow, previous: StormWindow | undefined): Promise<boolean>;
  /**
   * Counts `messageId` in the window opened at `windowStart`. Returns false when that window is no
   * longer the current one; counting the same id twice is a no-op that returns true.
   */
  collapseIntoStorm(key: string, windowStart: string, messageId: string, at: string): Promise<boolean>;
  /** Marks a window's count as reported, unless more alerts were collapsed meanwhile. */
  markStormReported(window: StormWindow): Promise<void>;
}
