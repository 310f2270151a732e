import { Field, GraphQLISODateTime, ID, ObjectType } from '@nestjs/graphql';
import { GraphQLJSON } from '../../graphql/json.scalar.js';

@ObjectType('AuditRecord', { description: 'One API action, as recorded in the append-only audit log.' })
export class AuditRecordModel {
  @Field(() => ID, { description: 'Increasing with time; use it as the cursor for older records.' })
  id!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the action was recorded.' })
  occurredAt!: Date;

  @Field({ description: 'Name of the API token that acted.' })
  actor!: string;

  @Field(() => String, { nullable: true, description: 'Role of that token at the time.' })
  actorRole!: string | null;

  @Field({ description: 'The mutation that was called.' })
  action!: string;

  @Field(() => GraphQLJSON, { description: 'Arguments of the call, with secret values redacted.' })
  arguments!: Record<string, unknown>;

  @Field({ description: 'succeeded, failed or denied.' })
  outcome!: string;

  @Field(() => String, { nullable: true, description: 'Why the action failed or was denied.' })
  error!: string | null;
}
