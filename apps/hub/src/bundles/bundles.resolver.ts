import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { mapPage, PageArgs, pageSize, type Page } from '../graphql/pagination.js';
import { selectBundlePage } from './bundle-list.query.js';
import { BundlePageModel } from './dtos/bundle-page.model.js';
import { BundleModel } from './dtos/bundle.model.js';
import { toBundleModel } from './to-bundle-model.util.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_SEARCH = 63;

@Resolver(() => BundleModel)
export class BundlesResolver {
  constructor(private readonly dataSource: DataSource) {}

  @Query(() => BundlePageModel, { description: 'A page of bundles with their errors, by name; of one source, or of all.' })
  async bundles(
    @Args() page: PageArgs,
    @Args('sourceId', { type: () => ID, nullable: true, description: 'Only the bundles of this source.' }) sourceId?: string | null,
    @Args('search', { type: () => String, nullable: true, description: 'Only bundles whose name contains this text (case-insensitive).' }) search?: string | null,
  ): Promise<Page<BundleModel>> {
    const first = pageSize(page.first);
    if (sourceId !== undefined && sourceId !== null && !UUID.test(sourceId)) throw new InvalidInputException('sourceId', 'must be a source id (a UUID)');
    if (search && search.length > MAX_SEARCH) throw new InvalidInputException('search', `must be at most ${MAX_SEARCH} characters`);
    const rows = await selectBundlePage(this.dataSource, { sourceId: sourceId ?? undefined, search: search || undefined }, first, page.after);
    return mapPage(rows, toBundleModel);
  }
}
