import type { ApolloDriverConfig } from '@nestjs/apollo';
import type { Principal } from '@flotilla/database';
import type { Request } from 'express';
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Context } from 'graphql-ws';
import type { DataSource } from 'typeorm';
import { SubscriptionAuth, type ClosableSocket } from '../subscriptions/subscription-auth.service.js';
import { formatGraphqlError } from './format-graphql-error.js';
import { RequestLoaders } from './request-loaders.js';

/** What this hub keeps on each graphql-ws connection (graphql-ws's `extra`, with the ws socket). */
interface ConnectionExtra {
  socket: ClosableSocket;
  principal?: Principal;
}

type WsContext = Context<Record<string, unknown> | undefined, ConnectionExtra>;

/** The GraphQL context: the HTTP request, or for a WebSocket operation a request-like holder of the socket's principal. */
export function graphqlContext(dataSource: DataSource): (arg: { req?: Request } | WsContext) => unknown {
  return (arg) => {
    if ('req' in arg && arg.req) return { req: arg.req, loaders: new RequestLoaders(dataSource) };
    const extra = (arg as WsContext).extra;
    return { req: { headers: {}, principal: extra.principal }, loaders: new RequestLoaders(dataSource) };
  };
}

/**
 * graphql-ws on the GraphQL path: the connection is authenticated at connection_init (refused with
 * 4401/4403 and a reason), tracked so revoking its token closes it, holds a bounded number of live
 * operations, and formats errors as over HTTP.
 */
export function graphqlWsOptions(auth: SubscriptionAuth, maxOperationsPerSocket: number): ApolloDriverConfig['subscriptions'] {
  return {
    'graphql-ws': {
      path: '/graphql',
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx: WsContext) => {
        const verdict = await auth.authenticate(ctx.connectionParams);
        if ('refuse' in verdict) {
          ctx.extra.socket.close(verdict.refuse.code, verdict.refuse.reason);
          return false;
        }
        ctx.extra.principal = verdict.principal;
        auth.track(verdict.principal.tokenId, ctx.extra.socket);
        return true;
      },
      onSubscribe: (ctx: WsContext) => {
        // graphql-ws registers the operation before this hook runs, so the count includes it.
        if (Object.keys(ctx.subscriptions).length > maxOperationsPerSocket) {
          return [new GraphQLError(`at most ${maxOperationsPerSocket} operations may run on one connection`, { extensions: { code: 'TOO_MANY_OPERATIONS' } })];
        }
        return undefined;
      },
      // Errors over the socket get the same typed codes (and the same silence about internals) as over HTTP.
      onNext: (_ctx: WsContext, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult) =>
        result.errors ? { ...result, errors: result.errors.map((error) => formatGraphqlError(error.toJSON(), error)) } : undefined,
      onClose: (ctx: WsContext) => {
        if (ctx.extra.principal) auth.forget(ctx.extra.principal.tokenId, ctx.extra.socket);
      },
    },
  } as ApolloDriverConfig['subscriptions'];
}
