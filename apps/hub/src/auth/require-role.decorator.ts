import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '@flotilla/database';

export const REQUIRED_ROLE = 'flotilla:required-role';

/**
 * The least role a resolver needs. Without it, queries need `viewer` and mutations `operator`,
 * so a new operation is never accidentally open to everyone.
 */
export const RequireRole = (role: ApiRole): MethodDecorator => SetMetadata(REQUIRED_ROLE, role);
