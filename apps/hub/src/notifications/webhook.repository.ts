import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { WebhookEvent, WebhookFormat } from './webhook-payload.util.js';

/** A configured webhook; the secret stays encrypted here. */
export interface WebhookRecord {
  readonly id: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly kinds: string[];
  readonly createdBy: string;
  readonly createdAt: Date;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One delivery of one event to one webhook, with its attempts so far. */
export interface DeliveryRecord {
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly kind: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

/** A delivery claimed for one attempt (its lease keeps other replicas off it meanwhile). */
export interface ClaimedDelivery {
  readonly id: string;
  readonly webhookId: string;
  readonly attempt: number;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly encryptedSecret: Buffer;
  readonly event: WebhookEvent;
}

function toWebhook(row: Record<string, unknown>): WebhookRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    format: row.format as WebhookFormat,
    kinds: row.kinds as string[],
    createdBy: row.created_by as string,
    createdAt: row.created_at as Date,
  };
}

function toDelivery(row: Record<string, unknown>): DeliveryRecord {
  const state = row.state as DeliveryState;
  return {
    id: row.id as string,
    webhookId: row.webhook_id as string,
    eventId: row.event_id as string,
    kind: row.kind as string,
    state,
    attempts: row.attempts as number,
    nextAttemptAt: state === 'pending' ? (row.next_attempt_at as Date) : null,
    lastStatus: (row.last_status as number | null) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    createdAt: row.created_at as Date,
    deliveredAt: (row.delivered_at as Date | null) ?? null,
  };
}

const DELIVERY_COLUMNS = `d.id::text AS id, d.webhook_id, d.event_id::text AS event_id, d.kind, d.state, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at`;

/** The webhooks and webhook_deliveries tables (deliveries are queued by the events trigger, not here). */
@Injectable()
export class WebhookRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a webhook; the secret is sealed by the caller with the id it is bound to. */
  async insert(id: string, input: { url: string; format: WebhookFormat; kinds: string[]; encryptedSecret: Buffer; createdBy: string }): Promise<WebhookRecord> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `INSERT INTO webhooks (id, url, format, kinds, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [id, input.url, input.format, input.kinds, input.encryptedSecret, input.createdBy],
    );
    return toWebhook(rows[0]!);
  }

  async count(): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM webhooks`);
    return rows[0]!.n;
  }

  /** Every event kind at least one webhook asks for. */
  async subscribedKinds(): Promise<Set<string>> {
    const rows: { kind: string }[] = await this.dataSource.query(`SELECT DISTINCT unnest(kinds) AS kind FROM webhooks`);
    return new Set(rows.map((row) => row.kind));
  }

  async list(): Promise<WebhookRecord[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT * FROM webhooks ORDER BY created_at, id`);
    return rows.map(toWebhook);
  }

  /** Deletes a webhook and its deliveries; returns what was deleted, or undefined when there was none. */
  async delete(id: string): Promise<WebhookRecord | undefined> {
    const [rows] = (await this.dataSource.query(`DELETE FROM webhooks WHERE id = $1 RETURNING *`, [id])) as [Record<string, unknown>[], number];
    return rows[0] ? toWebhook(rows[0]) : undefined;
  }

  /**
   * Claims due deliveries for one attempt each: the attempt is counted and the delivery leased (not due
   * again until the lease ends), under SKIP LOCKED so replicas never claim the same one.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    // An UPDATE answers [rows, affected] through TypeORM.
    const [rows] = (await this.dataSource.query(
      `WITH due AS (
         SELECT id FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond'
         FROM due, webhooks w
        WHERE d.id = due.id AND w.id = d.webhook_id
       RETURNING d.id::text AS id, d.webhook_id, d.attempts, d.payload, w.url, w.format, w.secret`,
      [limit, leaseMs],
    )) as [Record<string, unknown>[], number];
    return rows
      .map((row) => ({
        id: row.id as string,
        webhookId: row.webhook_id as string,
        attempt: row.attempts as number,
        url: row.url as string,
        format: row.format as WebhookFormat,
        encryptedSecret: row.secret as Buffer,
        event: row.payload as WebhookEvent,
      }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  }

  async markDelivered(id: string, status: number): Promise<void> {
    await this.dataSource.query(`UPDATE webhook_deliveries SET state = 'delivered', last_status = $2, last_error = NULL, delivered_at = now() WHERE id = $1`, [id, status]);
  }

  /** Records a failed attempt: retried after `retryInMs`, or failed for good when that is null. */
  async markAttemptFailed(id: string, status: number | null, error: string, retryInMs: number | null): Promise<void> {
    await this.dataSource.query(
      retryInMs === null
        ? `UPDATE webhook_deliveries SET state = 'failed', last_status = $2, last_error = $3 WHERE id = $1`
        : `UPDATE webhook_deliveries SET last_status = $2, last_error = $3, next_attempt_at = now() + $4 * interval '1 millisecond' WHERE id = $1`,
      retryInMs === null ? [id, status, error.slice(0, 500)] : [id, status, error.slice(0, 500), retryInMs],
    );
  }

  /** Deliveries newest first, optionally of one webhook and in one state, after a delivery id; and the total. */
  async deliveries(filter: { webhookId?: string; state?: DeliveryState }, limit: number, afterId: string | undefined): Promise<{ rows: DeliveryRecord[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.webhookId) where.push(`d.webhook_id = $${params.push(filter.webhookId)}`);
    if (filter.state) where.push(`d.state = $${params.push(filter.state)}`);
    const count: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM webhook_deliveries d ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, params);
    if (afterId) where.push(`d.id < $${params.push(afterId)}`);
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.id DESC LIMIT $${params.push(limit)}`,
      params,
    );
    return { rows: rows.map(toDelivery), total: count[0]!.n };
  }

  /** Deletes finished deliveries (delivered or failed) older than the cutoff; pending ones are kept. */
  async deleteFinishedOlderThan(cutoff: Date): Promise<number> {
    const [, affected] = (await this.dataSource.query(`DELETE FROM webhook_deliveries WHERE state <> 'pending' AND created_at < $1`, [cutoff])) as [unknown, number];
    return affected;
  }
}
