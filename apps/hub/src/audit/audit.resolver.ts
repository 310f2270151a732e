import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { AuditLogRepository } from '@flotilla/database';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { AuditChainVerificationModel } from './dtos/audit-chain.model.js';
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

  @Query(() => AuditChainVerificationModel, {
    description: 'Recomputes the audit chain and names the first broken record; with a head kept outside the database, also detects a rewrite of the whole table. Admin only.',
  })
  @RequireRole('admin')
  async auditChain(
    @Args('headId', { type: () => ID, nullable: true, description: 'Id of a head written outside the database earlier.' }) headId?: string,
    @Args('headHash', { nullable: true, description: 'Its hash (hex).' }) headHash?: string,
  ): Promise<AuditChainVerificationModel> {
    if ((headId === undefined || headId === null) !== (headHash === undefined || headHash === null)) {
      throw new InvalidInputException('headHash', 'give headId and headHash together');
    }
    if (headId && !/^\d{1,18}$/.test(headId)) throw new InvalidInputException('headId', 'must be an audit record id');
    const result = await this.log.verify(headId && headHash ? { id: headId, hash: headHash.toLowerCase() } : undefined);
    return {
      valid: result.valid,
      records: result.records,
      firstBrokenId: result.firstBrokenId,
      problem: result.problem,
      headId: result.head?.id ?? null,
      headHash: result.head?.hash ?? null,
    };
  }
}
