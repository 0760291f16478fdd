import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '../core/errors.ts';
import type { Alert, StormSummary } from '../notify/alert.ts';
import type { Channel, Incident, IncidentStep, NotifyLedger } from '../notify/ports.ts';
import type { StormWindow } from '../notify/storm.ts';
import { translatePortErrors } from './errors.ts';

/** Partition of every storm window: one Query lists them all (alert volumes are small). */
export const STORM_PK = 'notify#storm';
const deliveryPk = (messageId: string) => `notify#delivery#${messageId}`;
/** A service's latest incident (one item per service, replaced when a new incident opens). */
const incidentKey = (key: string) => ({ pk: `notify#incident#${key}`, sk: 'current' });
/** An incident item lives this long after its last change (threads older than that start anew). */
const INCIDENT_TTL_SECONDS = 30 * 24 * 60 * 60;

interface IncidentItem extends Incident {
  stepIds?: string[];
}

function toIncident(item: IncidentItem): Incident {
  return {
    key: item.key,
    openerId: item.openerId,
    openedAt: item.openedAt,
    channel: item.channel,
    ...(item.threadTs ? { threadTs: item.threadTs } : {}),
    steps: (item.steps ?? []) as IncidentStep[],
    ...(item.shownTime ? { shownTime: item.shownTime } : {}),
    ...(item.state ? { state: item.state } : {}),
    ...(item.closedAt ? { closedAt: item.closedAt } : {}),
  };
}

/** Delivery records outlive every Lambda retry and EventBridge redelivery by far. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;
/** A window item lives this long after its last change; a pending count is flushed well before. */
const STORM_TTL_SECONDS = 14 * 24 * 60 * 60;

const epochSeconds = (iso: string, plus: number) => Math.floor(Date.parse(iso) / 1000) + plus;

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

interface StormItem {
  key: string;
  windowStart: string;
  windowEventId: string;
  suppressed: number;
  suppressedIds?: string[];
  firstSuppressedAt?: string;
  lastSuppressedAt?: string;
  collapsedTotal: number;
  reported?: StormSummary;
  sample: Alert;
}

function toWindow(item: StormItem): StormWindow {
  return {
    key: item.key,
    windowStart: item.windowStart,
    windowEventId: item.windowEventId,
    suppressed: Number(item.suppressed),
    suppressedIds: item.suppressedIds ?? [],
    ...(item.firstSuppressedAt ? { firstSuppressedAt: item.firstSuppressedAt } : {}),
    ...(item.lastSuppressedAt ? { lastSuppressedAt: item.lastSuppressedAt } : {}),
    collapsedTotal: Number(item.collapsedTotal ?? 0),
    ...(item.reported ? { reported: item.reported } : {}),
    sample: item.sample,
  };
}

/**
 * The notifier's state in the ledger table (`pk`/`sk`, TTL attribute `expiresAt`):
 * - delivery records `pk = notify#delivery#<message id>`, `sk = sns | slack`: exactly once per channel;
 * - storm windows `pk = notify#storm`, `sk = <dedup key>`: see `lib/notify/storm.ts`.
 * - incidents `pk = notify#incident#<service ARN>`, `sk = current`: the Slack thread of the
 *   service's latest incident (parent ts, replies posted, resolved or not).
 * Every write that depends on what was read is conditional, so concurrent runs cannot lose a count.
 */
export function createNotifyLedger(client: DynamoDBClient, tableName: string): NotifyLedger {
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const stormKey = (key: string) => ({ pk: STORM_PK, sk: key });

  return translatePortErrors({
    async wasDelivered(messageId, channel: Channel) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: deliveryPk(messageId), sk: channel },
          ConsistentRead: true,
        }),
      );
      return out.Item !== undefined;
    },

    async recordDelivery(messageId, channel, at) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: deliveryPk(messageId),
            sk: channel,
            deliveredAt: at,
            expiresAt: epochSeconds(at, DELIVERY_TTL_SECONDS),
          },
        }),
      );
    },

    async getStorm(key) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: stormKey(key), ConsistentRead: true }),
      );
      return out.Item ? toWindow(out.Item as StormItem) : undefined;
    },

    async listPendingStorms() {
      const windows: StormWindow[] = [];
      const pages = paginateQuery(
        { client: doc },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'suppressed > :zero',
          ExpressionAttributeValues: { ':pk': STORM_PK, ':zero': 0 },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) windows.push(toWindow(item as StormItem));
      }
      return windows;
    },

    async openStorm(window, previous) {
      const { suppressedIds: _empty, ...rest } = window;
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...stormKey(window.key),
              ...rest,
              expiresAt: epochSeconds(window.windowStart, STORM_TTL_SECONDS),
            },
            ...(previous
              ? {
                  ConditionExpression: 'windowEventId = :prev AND collapsedTotal = :total',
                  ExpressionAttributeValues: {
                    ':prev': previous.windowEventId,
                    ':total': previous.collapsedTotal,
                  },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async collapseIntoStorm(key, windowStart, messageId, at) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stormKey(key),
            UpdateExpression:
              'SET suppressedIds = list_append(if_not_exists(suppressedIds, :empty), :ids), ' +
              'firstSuppressedAt = if_not_exists(firstSuppressedAt, :at), lastSuppressedAt = :at, expiresAt = :exp ' +
              'ADD suppressed :one, collapsedTotal :one',
            ConditionExpression: 'windowStart = :start AND NOT contains(suppressedIds, :id)',
            ExpressionAttributeValues: {
              ':empty': [],
              ':ids': [messageId],
              ':id': messageId,
              ':at': at,
              ':exp': epochSeconds(at, STORM_TTL_SECONDS),
              ':one': 1,
              ':start': windowStart,
            },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Either this id was already counted (a retry: done) or the window moved on (plan again).
        const out = await doc.send(
          new GetCommand({ TableName: tableName, Key: stormKey(key), ConsistentRead: true }),
        );
        const item = out.Item as StormItem | undefined;
        return (
          item !== undefined &&
          item.windowStart === windowStart &&
          (item.suppressedIds ?? []).includes(messageId)
        );
      }
    },

    async getIncident(key) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: incidentKey(key), ConsistentRead: true }),
      );
      return out.Item ? toIncident(out.Item as IncidentItem) : undefined;
    },

    async openIncident(incident, previous) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...incidentKey(incident.key),
              ...incident,
              stepIds: incident.steps.map((s) => s.id),
              expiresAt: epochSeconds(incident.openedAt, INCIDENT_TTL_SECONDS),
            },
            ...(previous
              ? {
                  // Replaces a resolved incident, or a claim whose parent was never posted.
                  ConditionExpression:
                    'openerId = :prev AND (attribute_exists(closedAt) OR attribute_not_exists(threadTs))',
                  ExpressionAttributeValues: { ':prev': previous.openerId },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async setIncidentThread(key, openerId, threadTs) {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: incidentKey(key),
          UpdateExpression: 'SET threadTs = :ts',
          ConditionExpression: 'openerId = :opener',
          ExpressionAttributeValues: { ':ts': threadTs, ':opener': openerId },
        }),
      );
    },

    async recordIncidentStep(key, openerId, step, closes) {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: incidentKey(key),
            UpdateExpression: `SET steps = list_append(if_not_exists(steps, :empty), :steps), stepIds = list_append(if_not_exists(stepIds, :empty), :ids), expiresAt = :exp${closes ? ', closedAt = :at' : ''}`,
            ConditionExpression: 'openerId = :opener AND NOT contains(stepIds, :id)',
            ExpressionAttributeValues: {
              ':empty': [],
              ':steps': [step],
              ':ids': [step.id],
              ':id': step.id,
              ':opener': openerId,
              ':exp': epochSeconds(step.time, INCIDENT_TTL_SECONDS),
              ...(closes ? { ':at': step.time } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toIncident(out.Attributes as IncidentItem);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const out = await doc.send(
          new GetCommand({ TableName: tableName, Key: incidentKey(key), ConsistentRead: true }),
        );
        const item = out.Item as IncidentItem | undefined;
        // Already recorded (a retry): done. Otherwise a new incident replaced it meanwhile.
        if (item && item.openerId === openerId && (item.stepIds ?? []).includes(step.id)) {
          return toIncident(item);
        }
        throw new RetryableError(`the incident of ${key} changed while a step was recorded; try again`);
      }
    },

    async recordParentShown(key, openerId, time, state) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: incidentKey(key),
            UpdateExpression: 'SET shownTime = :t, #state = :state',
            ConditionExpression:
              'openerId = :opener AND (attribute_not_exists(shownTime) OR shownTime <= :t)',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':t': time, ':opener': openerId, ':state': state },
          }),
        );
      } catch (error) {
        // A later state is already shown (or a new incident began): nothing to record.
        if (!isConditionFailure(error)) throw error;
      }
    },

    async markStormReported(window) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: stormKey(window.key),
            UpdateExpression:
              'SET suppressed = :zero REMOVE suppressedIds, firstSuppressedAt, lastSuppressedAt',
            ConditionExpression: 'windowStart = :start AND collapsedTotal = :total',
            ExpressionAttributeValues: {
              ':zero': 0,
              ':start': window.windowStart,
              ':total': window.collapsedTotal,
            },
          }),
        );
      } catch (error) {
        // More alerts were collapsed since: the window stays pending and its (larger) count goes
        // out again under a new message id. Reporting a count twice beats losing it.
        if (!isConditionFailure(error)) throw error;
      }
    },
  });
}
