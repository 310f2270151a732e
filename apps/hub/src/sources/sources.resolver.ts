import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AddSourceInput } from './dtos/add-source.input.js';
import { RevisionModel } from './dtos/revision.model.js';
import { AddedSourceModel, SourceModel } from './dtos/source.model.js';
import { UpdateSourceInput } from './dtos/update-source.input.js';
import { toSourceModel } from './to-source-model.util.js';
import { SourceService } from './source.service.js';

const MAX_REVISIONS = 500;

/** Thin: arguments in, one service call, API models out. Queries need viewer; mutations operator (the guard's default). */
@Resolver(() => SourceModel)
export class SourcesResolver {
  constructor(private readonly service: SourceService) {}

  @Query(() => [SourceModel], { description: 'Every source, by name.' })
  async sources(): Promise<SourceModel[]> {
    return (await this.service.list()).map((source) => toSourceModel(source, this.service.pollIntervalOf(source)));
  }

  @Query(() => SourceModel, { description: 'One source by id.' })
  async source(@Args('id', { type: () => ID }) id: string): Promise<SourceModel> {
    const source = await this.service.get(id);
    return toSourceModel(source, this.service.pollIntervalOf(source));
  }

  @Query(() => [RevisionModel], { description: 'The revisions fetched from a source, newest first.' })
  async revisions(
    @Args('sourceId', { type: () => ID }) sourceId: string,
    @Args('first', { type: () => Int, defaultValue: 20, description: `At most ${MAX_REVISIONS}.` }) first: number,
  ): Promise<RevisionModel[]> {
    return this.service.revisions(sourceId, first, MAX_REVISIONS);
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
