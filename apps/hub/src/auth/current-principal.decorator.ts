import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import type { Request } from 'express';

/** The request's authenticated principal, set by AuthGuard before any resolver runs. */
/** A request the AuthGuard has seen: the token's lookup is shared by every root field of one operation. */
export type AuthenticatedRequest = Request & { principal?: Principal; principalLookup?: Promise<Principal | undefined> };

export function principalOf(context: ExecutionContext): Principal | undefined {
  const request = GqlExecutionContext.create(context).getContext<{ req: AuthenticatedRequest }>().req;
  return request.principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) => principalOf(context));
