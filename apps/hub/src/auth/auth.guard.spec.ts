import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiTokenRepository, Principal } from '@flotilla/database';
import type { AuditService } from '../audit/audit.service.js';
import { AuthGuard } from './auth.guard.js';
import type { AuthenticatedRequest } from './current-principal.decorator.js';

const viewer: Principal = { tokenId: '1', name: 'ci', role: 'viewer' } as Principal;

/** The execution context of one root field of a GraphQL query, over a shared request. */
function rootField(request: AuthenticatedRequest, fieldName: string): ExecutionContext {
  const args = [undefined, {}, { req: request }, { fieldName, operation: { operation: 'query' } }];
  return {
    getType: () => 'graphql',
    getHandler: () => rootField,
    getClass: () => AuthGuard,
    getArgs: () => args,
    getArgByIndex: (index: number) => args[index],
  } as unknown as ExecutionContext;
}

describe('AuthGuard', () => {
  it('looks the token up once for all the root fields of one request, resolved concurrently', async () => {
    let lookups = 0;
    const authenticate = async () => {
      lookups += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return viewer;
    };
    const guard = new AuthGuard(new Reflector(), { authenticate } as unknown as ApiTokenRepository, {} as AuditService);
    const request = { headers: { authorization: 'Bearer flt_secret' } } as unknown as AuthenticatedRequest;
    const fields = ['clusters', 'bundles', 'rollouts', 'fleet'];
    await expect(Promise.all(fields.map((field) => guard.canActivate(rootField(request, field))))).resolves.toEqual([true, true, true, true]);
    expect(lookups).toBe(1);
    expect(request.principal).toBe(viewer);
  });

  it('refuses every root field when the one lookup finds no token', async () => {
    let lookups = 0;
    const authenticate = async () => {
      lookups += 1;
      return undefined;
    };
    const guard = new AuthGuard(new Reflector(), { authenticate } as unknown as ApiTokenRepository, {} as AuditService);
    const request = { headers: { authorization: 'Bearer flt_unknown' } } as unknown as AuthenticatedRequest;
    const results = await Promise.allSettled(['a', 'b'].map((field) => guard.canActivate(rootField(request, field))));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(lookups).toBe(1);
  });
});
