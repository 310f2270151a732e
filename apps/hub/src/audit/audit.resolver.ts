import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { AuditLogRepository } from '@flotilla/database';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, PageArgs, pageSize, toPage, type Page } from '../graphql/pagination.js';
import { AuditRecordPageModel } from './dtos/audit-record-page.model.js';
import { AuditChainVerificationModel } from './dtos/audit-chain.model.js';
import { AuditRecordModel } from './dtos/audit-record.model.js';

@Resolver(() => AuditRecordModel)
export class AuditResolver {
  constructor(
    private readonly log: AuditLogRepository,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => AuditRecordPageModel, { description: 'A page of audit records, newest first. Admin only.' })
  @RequireRole('admin')
  async auditLog(@Args() page: PageArgs): Promise<Page<AuditRecordModel>> {
    const first = pageSize(page.first);
    const before = page.after ? String(decodeCursor(page.after, ['number'])[0]) : undefined;
    const [records, total] = await Promise.all([
      this.log.list(first + 1, before),
      this.dataSource.query('SELECT count(*)::int AS n FROM audit_log') as Promise<{ n: number }[]>,
    ]);
    return toPage(records, first, page.after, total[0]!.n, (record) => [Number(record.id)], (record) => record);
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
