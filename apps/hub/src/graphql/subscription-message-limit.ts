import { Logger, type INestApplication } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';

/** What this uses of a `ws` socket (ws ships no types, and is not a dependency of ours). */
interface Socket {
  removeAllListeners(event: 'error'): void;
  on(event: 'error', listener: (error: Error & { code?: string }) => void): void;
  close(code: number, reason: string): void;
}

/** The part of @nestjs/apollo's driver that holds the graphql-ws WebSocket server (not public API). */
interface DriverWithSubscriptions {
  _subscriptionService?: { wss?: { options: { maxPayload?: number }; on(event: 'connection', listener: (socket: Socket) => void): void } };
}

/** ws's code for a message over maxPayload (it has already closed the socket with 1009). */
const OVERSIZE = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
/** RFC 6455: the server met an unexpected condition. */
const INTERNAL_ERROR = 1011;

/**
 * Caps the size of a message a graphql-ws client may send (ws closes the socket with 1009 beyond
 * it). @nestjs/graphql creates the WebSocket server with ws's default of 100 MiB and offers no
 * option for it, so the limit is set on that server once the application is initialised, before
 * it listens. Throws when the server is not where this expects it, so a dependency upgrade that
 * moves it fails the start (and the test) instead of silently dropping the limit.
 *
 * A socket's errors are logged through the hub's logger: graphql-ws's own handler writes them
 * with console.error, a plain-text line in the hub's JSON log for every client that sends too much.
 */
export function limitSubscriptionMessages(app: INestApplication, maxBytes: number): void {
  const driver = app.get(GraphQLModule, { strict: false }).graphQlAdapter as unknown as DriverWithSubscriptions;
  const wss = driver._subscriptionService?.wss;
  if (!wss?.options) throw new Error('cannot limit GraphQL subscription messages: the graphql-ws server of @nestjs/apollo was not found');
  wss.options.maxPayload = maxBytes;
  const logger = new Logger('GraphQLSubscriptions');
  // Registered after graphql-ws's own connection handler, so its error handler is there to replace.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => {
      if (error.code === OVERSIZE) {
        logger.warn(`a subscription client sent a message over ${maxBytes} bytes (FLOTILLA_SUBSCRIPTION_MAX_MESSAGE_BYTES); its socket was closed (1009)`);
        return;
      }
      logger.error(`a subscription socket failed: ${error.message}`);
      socket.close(INTERNAL_ERROR, 'Internal server error');
    });
  });
}
