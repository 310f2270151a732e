import type { INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';

/** The part of @nestjs/apollo's driver that holds the graphql-ws WebSocket server (not public API). */
interface DriverWithSubscriptions {
  _subscriptionService?: { wss?: { options: { maxPayload?: number } } };
}

/**
 * Caps the size of a message a graphql-ws client may send (ws closes the socket with 1009 beyond
 * it). @nestjs/graphql creates the WebSocket server with ws's default of 100 MiB and offers no
 * option for it, so the limit is set on that server once the application is initialised, before
 * it listens. Throws when the server is not where this expects it, so a dependency upgrade that
 * moves it fails the start (and the test) instead of silently dropping the limit.
 */
export function limitSubscriptionMessages(app: INestApplication, maxBytes: number): void {
  const driver = app.get(GraphQLModule, { strict: false }).graphQlAdapter as unknown as DriverWithSubscriptions;
  const options = driver._subscriptionService?.wss?.options;
  if (!options) throw new Error('cannot limit GraphQL subscription messages: the graphql-ws server of @nestjs/apollo was not found');
  options.maxPayload = maxBytes;
}
