import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { AuditLogRepository } from '@flotilla/database';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { AuditRecordModel } from './dtos/audit-record.model.js';

const MAX_PAGE = 500;

@Resolver(() => AuditRecordModel)
export class AuditResolver {
  constructor(private readonly log: AuditLogRepository) {}

  @Query(() => [AuditRecordModel], { description: 'Audit records, newest first. Admin only.' })
  @RequireRole('admin')
  async auditLog(
    @Args('first', { type: () => Int, defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Args('before', { type: () => ID, nullable: true, description: 'Only records older than this id.' }) before?: string,
  ): Promise<AuditRecordModel[]> {
    if (first < 1 || first > MAX_PAGE) throw new InvalidInputException('first', `must be from 1 to ${MAX_PAGE}, got ${first}`);
    if (before !== undefined && before !== null && !/^\d{1,18}$/.test(before)) {
      throw new InvalidInputException('before', `must be an audit record id, got "${before.slice(0, 40)}"`);
    }
    return this.log.list(first, before ?? undefined);
  }
}
