import { Field, ObjectType } from '@nestjs/graphql';

@ObjectType('HubHealth', { description: 'Whether this hub and what it depends on are working.' })
export class HubHealthModel {
  @Field({ description: 'ok when every dependency answers, degraded otherwise.' })
  status!: string;

  @Field({ description: 'ok, or why the database did not answer.' })
  database!: string;

  @Field({ description: 'Seconds since this hub process started.' })
  uptimeSeconds!: number;
}
