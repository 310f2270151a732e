import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { AuthException, AuthExceptionCode } from '../auth/auth.exception.js';
import { FlotillaException } from '../common/flotilla.exception.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';

const AUTH_CODES: Record<AuthExceptionCode, string> = {
  [AuthExceptionCode.Unauthenticated]: 'UNAUTHENTICATED',
  [AuthExceptionCode.Forbidden]: 'FORBIDDEN',
  [AuthExceptionCode.TokenNotFound]: 'NOT_FOUND',
};

/**
 * The one place feature exceptions become GraphQL errors. Known exceptions keep their message and
 * get a stable `extensions.code`; anything unexpected is answered without internals (Nest's
 * exception handler has already logged it with its stack).
 */
export function formatGraphqlError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof AuthException) {
    return { ...base, message: original.message, extensions: { code: AUTH_CODES[original.code] } };
  }
  if (original instanceof FlotillaException) {
    return { ...base, message: original.message, extensions: { code: original.graphqlCode, ...original.details } };
  }
  if (original instanceof InvalidInputException) {
    return { ...base, message: original.message, extensions: { code: 'BAD_USER_INPUT', argument: original.argument } };
  }
  if (isDatabaseUnavailable(original)) {
    return { ...base, message: 'the database is unavailable; try again shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    return { ...base, extensions: { code } };
  }
  return { ...base, message: 'internal error: see the hub log', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Connection-level PostgreSQL failures (refused, terminated, not accepting connections), not query errors. */
function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    code === '55000' || // object_not_in_prerequisite_state: database not accepting connections
    code === '53300' || // too_many_connections
    /Connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  );
}
