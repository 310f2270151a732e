import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';
import { PageType } from '../../graphql/pagination.js';

@ObjectType('StatusTransition', { description: "One change of a bundle deployment's reported generation, phase or health, as the hub recorded it." })
export class StatusTransitionModel {
  @Field({ description: 'Generation the status was about (a 64-bit integer as a string).' })
  generation!: string;

  @Field(() => String, { nullable: true, description: 'Reported phase: WAITING, APPLYING, APPLIED, FAILED, REMOVING, REMOVED or SUSPENDED.' })
  phase!: string | null;

  @Field(() => String, { nullable: true, description: 'Reported health: HEALTHY, PROGRESSING, DEGRADED or UNKNOWN.' })
  health!: string | null;

  @Field(() => String, { nullable: true, description: "The agent's reason, when it gave one." })
  reason!: string | null;

  @Field(() => GraphQLISODateTime, { description: 'When the hub recorded it.' })
  recordedAt!: Date;
}

@ObjectType('StatusTransitionConnection', { description: 'A page of status transitions, newest first.' })
export class StatusTransitionPageModel extends PageType(StatusTransitionModel, 'StatusTransition') {}
