import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { API_ROLES, ApiTokenRepository, type Principal } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { HUB_CONFIG } from '../config/hub-config.token.js';
import type { HubConfig } from '../config/hub-config.js';
import { EventListener } from '../events/event-listener.service.js';

/** The part of a WebSocket this service needs: closing it with a code and a reason. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/** graphql-ws close codes (RFC 6455 application range) used when refusing or ending a connection. */
export const CloseCode = { Unauthorized: 4401, Forbidden: 4403 } as const;

/** The outcome of authenticating a connection: a principal, or the close code and reason to refuse with. */
export type ConnectionVerdict = { readonly principal: Principal } | { readonly refuse: { readonly code: number; readonly reason: string } };

const MIN_ROLE = 'viewer';

/**
 * Authenticates graphql-ws connections once, at connection_init, with the same bearer API tokens as
 * HTTP (connectionParams `{ authorization: "Bearer …" }`), and keeps them honest afterwards: a revoked
 * or deleted token closes its sockets at once (the api_tokens trigger NOTIFYs every replica), and a
 * periodic re-check (and one after every LISTEN reconnect, which may have missed a notification)
 * closes sockets whose token expired or was revoked meanwhile.
 */
@Injectable()
export class SubscriptionAuth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriptionAuth.name);
  private readonly socketsByToken = new Map<string, Set<ClosableSocket>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly dataSource: DataSource,
    private readonly listener: EventListener,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.unsubscribe.push(this.listener.onTokenRevoked((tokenId) => this.closeToken(tokenId, 'the API token was revoked')));
    this.unsubscribe.push(this.listener.onReconnected(() => void this.recheck()));
    this.timer = setInterval(() => void this.recheck(), this.config.events.tokenRecheckMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    for (const stop of this.unsubscribe) stop();
  }

  /** Connected sockets, for tests and metrics. */
  get connected(): number {
    let count = 0;
    for (const sockets of this.socketsByToken.values()) count += sockets.size;
    return count;
  }

  async authenticate(connectionParams: Readonly<Record<string, unknown>> | undefined): Promise<ConnectionVerdict> {
    const header = connectionParams?.authorization ?? connectionParams?.Authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      return { refuse: { code: CloseCode.Unauthorized, reason: 'an API token is required: connectionParams { authorization: "Bearer <token>" }' } };
    }
    const principal = await this.tokens.authenticate(match[1]!);
    if (!principal) return { refuse: { code: CloseCode.Unauthorized, reason: 'the API token is unknown, revoked or expired' } };
    if (API_ROLES.indexOf(principal.role) < API_ROLES.indexOf(MIN_ROLE)) {
      return { refuse: { code: CloseCode.Forbidden, reason: `subscriptions require the ${MIN_ROLE} role; this token has ${principal.role}` } };
    }
    return { principal };
  }

  /** Remembers a socket authenticated with this token, so revoking the token closes it. */
  track(tokenId: string, socket: ClosableSocket): void {
    let sockets = this.socketsByToken.get(tokenId);
    if (!sockets) this.socketsByToken.set(tokenId, (sockets = new Set()));
    sockets.add(socket);
  }

  forget(tokenId: string, socket: ClosableSocket): void {
    const sockets = this.socketsByToken.get(tokenId);
    sockets?.delete(socket);
    if (sockets?.size === 0) this.socketsByToken.delete(tokenId);
  }

  /** Closes the sockets of every tracked token that is no longer valid (revoked, deleted or expired). */
  async recheck(): Promise<void> {
    const ids = [...this.socketsByToken.keys()];
    if (ids.length === 0) return;
    try {
      const rows: { id: string }[] = await this.dataSource.query(
        `SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
        [ids],
      );
      const valid = new Set(rows.map((row) => row.id));
      for (const id of ids) if (!valid.has(id)) this.closeToken(id, 'the API token was revoked or has expired');
    } catch (error) {
      this.logger.warn(`could not re-check subscription tokens: ${(error as Error).message}`);
    }
  }

  private closeToken(tokenId: string, reason: string): void {
    const sockets = this.socketsByToken.get(tokenId);
    if (!sockets) return;
    this.socketsByToken.delete(tokenId);
    this.logger.log(`closing ${sockets.size} subscription socket(s): ${reason}`);
    for (const socket of sockets) socket.close(CloseCode.Unauthorized, reason);
  }
}
