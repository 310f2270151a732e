import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import { AuditAs } from '../audit/audit-as.decorator.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, pageSize, ROW_ID_PATTERN, toPage, type Page } from '../graphql/pagination.js';
import { WebhookDeliveriesArgs, WebhookDeliveryModel, WebhookDeliveryPageModel, WebhookDeliveryStateModel, WebhookFormatModel, WebhookModel } from './dtos/webhook.model.js';
import { WebhookRepository, type WebhookRecord } from './webhook.repository.js';
import { displayUrl, WebhooksService } from './webhooks.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toModel(record: WebhookRecord): WebhookModel {
  return { id: record.id, url: displayUrl(record.url), format: record.format as WebhookFormatModel, events: record.kinds, createdBy: record.createdBy, createdAt: record.createdAt };
}

/** Outgoing webhooks and their delivery log. Admin only: a webhook sends fleet data out of the hub. */
@Resolver(() => WebhookModel)
export class WebhooksResolver {
  constructor(
    private readonly service: WebhooksService,
    private readonly repository: WebhookRepository,
  ) {}

  @Mutation(() => WebhookModel, { description: 'Adds a webhook receiving events of the given kinds (e.g. drift.detected, rollout.phase-changed), signed with the secret. Admin only.' })
  @RequireRole('admin')
  @AuditAs({ url: (value) => displayUrl(String(value)) })
  async addWebhook(
    @Args('url', { description: 'https:// URL to POST to.' }) url: string,
    @Args('format', { type: () => WebhookFormatModel, description: 'Body format.' }) format: WebhookFormatModel,
    @Args('events', { type: () => [String], description: 'Event kinds to deliver.' }) events: string[],
    @Args('secret', { description: '16-256 characters; signs every delivery (HMAC-SHA256 of "<timestamp>.<body>").' }) secret: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<WebhookModel> {
    return toModel(await this.service.add({ url, format, events, secret }, `token:${principal.name}`));
  }

  @Mutation(() => WebhookModel, { description: 'Deletes a webhook and its delivery log; deliveries still queued are dropped. Admin only.' })
  @RequireRole('admin')
  async deleteWebhook(@Args('id', { type: () => ID, description: 'Id of the webhook.' }) id: string): Promise<WebhookModel> {
    return toModel(await this.service.delete(id));
  }

  @Query(() => [WebhookModel], { description: 'Every webhook, oldest first. Admin only.' })
  @RequireRole('admin')
  async webhooks(): Promise<WebhookModel[]> {
    return (await this.service.list()).map(toModel);
  }

  @Query(() => WebhookDeliveryPageModel, { description: 'The webhook delivery log, newest first. Admin only.' })
  @RequireRole('admin')
  async webhookDeliveries(@Args() args: WebhookDeliveriesArgs): Promise<Page<WebhookDeliveryModel>> {
    const first = pageSize(args.first);
    if (args.webhookId != null && !UUID.test(args.webhookId)) throw new InvalidInputException('webhookId', 'expected a webhook id (UUID)');
    const after = args.after ? decodeCursor(args.after, ['string']) : undefined;
    if (after && !ROW_ID_PATTERN.test(after[0] as string)) throw new InvalidInputException('after', 'is not a cursor of this list');
    const { rows, total } = await this.repository.deliveries(
      { webhookId: args.webhookId ?? undefined, state: args.state ?? undefined },
      first + 1,
      after ? (after[0] as string) : undefined,
    );
    return toPage(rows, first, args.after, total, (row) => [row.id], (row) => ({ ...row, state: row.state as WebhookDeliveryStateModel }));
  }
}
