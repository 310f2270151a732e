import { ArgsType, Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageArgs, PageType } from '../../graphql/pagination.js';

export enum WebhookFormatModel {
  json = 'json',
  slack = 'slack',
}

registerEnumType(WebhookFormatModel, {
  name: 'WebhookFormat',
  description: 'json: the event as generic JSON; slack: a Slack incoming-webhook message.',
});

export enum WebhookDeliveryStateModel {
  pending = 'pending',
  delivered = 'delivered',
  failed = 'failed',
}

registerEnumType(WebhookDeliveryStateModel, {
  name: 'WebhookDeliveryState',
  description: 'pending: not yet accepted (retries left); delivered: answered 2xx; failed: every attempt was spent.',
});

@ObjectType('Webhook', { description: 'An outgoing webhook: events of the chosen kinds are POSTed to it, signed with its secret.' })
export class WebhookModel {
  @Field(() => ID, { description: 'Id of the webhook.' })
  id!: string;

  @Field({ description: 'Where deliveries go: scheme, host and first path segment; the rest is hidden (Slack keeps its credential there).' })
  url!: string;

  @Field(() => WebhookFormatModel, { description: 'Body format.' })
  format!: WebhookFormatModel;

  @Field(() => [String], { description: 'Event kinds delivered.' })
  events!: string[];

  @Field({ description: 'Who added it.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was added.' })
  createdAt!: Date;
}

@ObjectType('WebhookDelivery', { description: 'One event sent (or being sent) to one webhook, with its attempts.' })
export class WebhookDeliveryModel {
  @Field(() => ID, { description: 'Id of the delivery; sent as the x-flotilla-delivery header.' })
  id!: string;

  @Field(() => ID, { description: 'The webhook.' })
  webhookId!: string;

  @Field(() => ID, { description: 'The event delivered.' })
  eventId!: string;

  @Field({ description: 'Kind of the event.' })
  kind!: string;

  @Field(() => WebhookDeliveryStateModel, { description: 'Where the delivery stands.' })
  state!: WebhookDeliveryStateModel;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the next attempt is due; null once delivered or failed.' })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last answer; null when there was none.' })
  lastStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;

  @Field(() => GraphQLISODateTime, { description: 'When the delivery was queued (with its event).' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the receiver accepted it.' })
  deliveredAt!: Date | null;
}

@ObjectType('WebhookDeliveryConnection', { description: 'A page of webhook deliveries, newest first.' })
export class WebhookDeliveryPageModel extends PageType(WebhookDeliveryModel, 'WebhookDelivery') {}

@ArgsType()
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only deliveries of this webhook.' })
  webhookId?: string | null;

  @Field(() => WebhookDeliveryStateModel, { nullable: true, description: 'Only deliveries in this state.' })
  state?: WebhookDeliveryStateModel | null;
}
