import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { PageArgs, pageSize, type Page } from '../graphql/pagination.js';
import { SourceService } from '../sources/source.service.js';
import { SourceSnapshots } from '../sources/source-snapshots.service.js';
import { ApprovalsService } from './approvals.service.js';
import { selectApprovalPage } from './approval-list.query.js';
import { ApprovalModel } from './dtos/approval.model.js';
import { ApprovalPageModel } from './dtos/approval-page.model.js';
import { TargetStateService } from './target-state.service.js';

@Resolver(() => ApprovalModel)
export class ApprovalsResolver {
  constructor(
    private readonly service: ApprovalsService,
    private readonly targetState: TargetStateService,
    private readonly sources: SourceService,
    private readonly snapshots: SourceSnapshots,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => ApprovalPageModel, { description: 'A page of the changes waiting for a decision (with pending: false, of all of them), newest first.' })
  async approvals(@Args('pending', { defaultValue: true, description: 'Only changes not decided yet.' }) pending: boolean, @Args() page: PageArgs): Promise<Page<ApprovalModel>> {
    return selectApprovalPage(this.dataSource, pending, pageSize(page.first), page.after);
  }

  @Mutation(() => ApprovalModel, { description: "Approves a held change; the source's current revision is applied again at once." })
  async approveChange(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() principal: Principal): Promise<ApprovalModel> {
    const decided = await this.decide(id, 'approved', principal);
    const source = await this.sources.get(decided.sourceId);
    if (source.lastFetchedSha) {
      const snapshot = await this.snapshots.read(source.id, source.lastFetchedSha);
      await this.targetState.enqueue(`approval ${id}`, () =>
        this.targetState.applyRevision({ sourceId: source.id, sourceName: source.name, sha: source.lastFetchedSha!, snapshot }),
      );
    }
    return decided;
  }

  @Mutation(() => ApprovalModel, { description: 'Rejects a held change: it stays held until a newer commit.' })
  async rejectChange(@Args('id', { type: () => ID }) id: string, @CurrentPrincipal() principal: Principal): Promise<ApprovalModel> {
    return this.decide(id, 'rejected', principal);
  }

  private async decide(id: string, decision: 'approved' | 'rejected', principal: Principal): Promise<ApprovalModel> {
    if (!/^\d{1,18}$/.test(id)) throw new InvalidInputException('id', 'must be an approval id');
    const decided = await this.service.decide(id, decision, principal.name);
    if (!decided) throw new InvalidInputException('id', `no pending approval has id ${id}`);
    return decided;
  }
}
