import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { principalOf } from '../auth/current-principal.decorator.js';
import { AUDIT_AS, type AuditArgumentMasks } from './audit-as.decorator.js';
import { AuditService } from './audit.service.js';

/**
 * Every GraphQL mutation lands in the audit log with its outcome, whether it succeeded or failed.
 * (Refusals by the guard are recorded by the guard, which runs before interceptors.)
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const principal = principalOf(context);
    if (info.operation.operation !== 'mutation' || !principal) return next.handle();
    const args = masked(gql.getArgs<Record<string, unknown>>(), this.reflector.get<AuditArgumentMasks | undefined>(AUDIT_AS, context.getHandler()));
    return from(
      (async () => {
        let result: unknown;
        try {
          result = await lastValueFrom(next.handle(), { defaultValue: undefined });
        } catch (error) {
          await this.audit.record(principal, info.fieldName, args, 'failed', error instanceof Error ? error.message : String(error));
          throw error;
        }
        await this.audit.record(principal, info.fieldName, args, 'succeeded');
        return result;
      })(),
    );
  }
}

function masked(args: Record<string, unknown>, masks: AuditArgumentMasks | undefined): Record<string, unknown> {
  if (!masks) return args;
  const out = { ...args };
  for (const [name, mask] of Object.entries(masks)) {
    if (out[name] === undefined || out[name] === null) continue;
    try {
      out[name] = mask(out[name]);
    } catch {
      out[name] = '[REDACTED]'; // a value the mask cannot read (the mutation refuses it too) is never kept as given
    }
  }
  return out;
}
