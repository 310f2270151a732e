import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { API_ROLES, ApiTokenRepository, type ApiRole } from '@flotilla/database';
import { PUBLIC_ROUTE } from '@flotilla/observability';
import type { GraphQLResolveInfo } from 'graphql';
import { AuditService } from '../audit/audit.service.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import type { AuthenticatedRequest } from './current-principal.decorator.js';
import { REQUIRED_ROLE } from './require-role.decorator.js';

/**
 * The one place requests are authenticated and authorised. GraphQL operations need a bearer API
 * token with a sufficient role; HTTP routes are refused unless marked @PublicRoute() (probes,
 * metrics, webhooks that verify their own signatures).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: ApiTokenRepository,
    private readonly audit: AuditService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    if (context.getType<string>() !== 'graphql') {
      throw new AuthException(AuthExceptionCode.Forbidden, 'this route is not public');
    }
    const gql = GqlExecutionContext.create(context);
    const request = gql.getContext<{ req: AuthenticatedRequest }>().req;
    const info = gql.getInfo<GraphQLResolveInfo>();
    const operation = info.operation.operation;
    const required =
      this.reflector.get<ApiRole | undefined>(REQUIRED_ROLE, context.getHandler()) ?? (operation === 'query' ? 'viewer' : 'operator');

    if (!request.principal) {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
      if (!match) {
        throw new AuthException(AuthExceptionCode.Unauthenticated, 'an API token is required: send "Authorization: Bearer <token>"');
      }
      // Root fields are resolved concurrently: one lookup serves them all.
      request.principalLookup ??= this.tokens.authenticate(match[1]!);
      const principal = await request.principalLookup;
      if (!principal) throw new AuthException(AuthExceptionCode.Unauthenticated, 'the API token is unknown, revoked or expired');
      request.principal = principal;
    }

    const principal = request.principal;
    if (API_ROLES.indexOf(principal.role) < API_ROLES.indexOf(required)) {
      const action = `${operation}.${info.fieldName}`;
      this.logger.warn(`denied ${action} to token "${principal.name}" (role ${principal.role}, needs ${required})`);
      if (operation === 'mutation') {
        await this.audit.record(principal, info.fieldName, gql.getArgs(), 'denied', `requires role ${required}`);
      }
      throw new AuthException(
        AuthExceptionCode.Forbidden,
        `${info.fieldName} requires the ${required} role; this token has ${principal.role}`,
      );
    }
    return true;
  }
}
