import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('Event', { description: 'One entry of the append-only timeline: a state change or an API action.' })
export class EventModel {
  @Field(() => ID, { description: 'Increasing id of the event (a later commit can carry a lower id).' })
  id!: string;

  @Field({ description: 'What happened, e.g. cluster.connected, bundle-deployment.changed, drift.detected, rollout.phase-changed, revision.added, api.action.' })
  kind!: string;

  @Field({ description: 'What it happened to, as a path: cluster/<name>, bundle/<bundle>/cluster/<cluster>, bundle/<bundle>/rollout/<id>, source/<name>, api/<action>.' })
  subject!: string;

  @Field(() => GraphQLISODateTime, { description: 'When it was recorded.' })
  occurredAt!: Date;

  @Field(() => GraphQLJSON, { description: 'The details recorded with it (ids, names, what changed from what); never secret values.' })
  data!: Record<string, unknown>;
}

@ObjectType('EventConnection', { description: 'A page of events, newest first.' })
export class EventPageModel extends PageType(EventModel, 'Event') {}
