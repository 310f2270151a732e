import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { mapPage, PageArgs, type Page } from '../graphql/pagination.js';
import { AddSourceInput } from './dtos/add-source.input.js';
import { RevisionModel } from './dtos/revision.model.js';
import { RevisionPageModel, SourcePageModel } from './dtos/source-page.model.js';
import { AddedSourceModel, SourceModel } from './dtos/source.model.js';
import { UpdateSourceInput } from './dtos/update-source.input.js';
import { toSourceModel } from './to-source-model.util.js';
import { SourceService } from './source.service.js';

/** Thin: arguments in, one service call, API models out. Queries need viewer; mutations operator (the guard's default). */
@Resolver(() => SourceModel)
export class SourcesResolver {
  constructor(private readonly service: SourceService) {}

  @Query(() => SourcePageModel, { description: 'A page of sources, by name.' })
  async sources(@Args() page: PageArgs): Promise<Page<SourceModel>> {
    return mapPage(await this.service.sourcePage(page.first, page.after), (source) => toSourceModel(source, this.service.pollIntervalOf(source)));
  }

  @Query(() => SourceModel, { description: 'One source by id.' })
  async source(@Args('id', { type: () => ID }) id: string): Promise<SourceModel> {
    const source = await this.service.get(id);
    return toSourceModel(source, this.service.pollIntervalOf(source));
  }

  @Query(() => RevisionPageModel, { description: 'A page of the revisions fetched from a source, newest first.' })
  async revisions(@Args('sourceId', { type: () => ID, description: 'The source.' }) sourceId: string, @Args() page: PageArgs): Promise<Page<RevisionModel>> {
    return this.service.revisionPage(sourceId, page.first, page.after);
  }

  @Mutation(() => AddedSourceModel, { description: 'Adds a source and fetches it once; the answer holds the webhook secret, shown only here.' })
  async addSource(@Args('input') input: AddSourceInput): Promise<AddedSourceModel> {
    const { source, webhookSecret } = await this.service.add(input);
    return { source: toSourceModel(source, this.service.pollIntervalOf(source)), webhookSecret };
  }

  @Mutation(() => SourceModel, { description: 'Changes a source; a change of URL, ref, path or credentials fetches again.' })
  async updateSource(@Args('input') input: UpdateSourceInput): Promise<SourceModel> {
    const source = await this.service.update(input);
    return toSourceModel(source, this.service.pollIntervalOf(source));
  }

  @Mutation(() => SourceModel, { description: 'Deletes a source, its revisions and its mirror; answers the source as it was.' })
  async deleteSource(@Args('id', { type: () => ID }) id: string): Promise<SourceModel> {
    const source = await this.service.delete(id);
    return toSourceModel(source, this.service.pollIntervalOf(source));
  }

  @Mutation(() => SourceModel, { description: 'Fetches a source now and answers it afterwards (see lastError when the fetch failed).' })
  async syncSource(@Args('id', { type: () => ID }) id: string): Promise<SourceModel> {
    const source = await this.service.syncNow(id);
    return toSourceModel(source, this.service.pollIntervalOf(source));
  }
}
