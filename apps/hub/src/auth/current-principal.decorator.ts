import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import type { Request } from 'express';

/** The request's authenticated principal, set by AuthGuard before any resolver runs. */
export type AuthenticatedRequest = Request & { principal?: Principal };

export function principalOf(context: ExecutionContext): Principal | undefined {
  const request = GqlExecutionContext.create(context).getContext<{ req: AuthenticatedRequest }>().req;
  return request.principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) => principalOf(context));
