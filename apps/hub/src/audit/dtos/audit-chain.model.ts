import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AuditChainVerification', { description: 'The result of recomputing every hash of the audit log.' })
export class AuditChainVerificationModel {
  @Field({ description: 'Every record matches its hash and follows the one before it (and the given head, if any).' })
  valid!: boolean;

  @Field(() => Int, { description: 'Records checked.' })
  records!: number;

  @Field(() => String, { nullable: true, description: 'The first record whose hashes do not hold.' })
  firstBrokenId!: string | null;

  @Field(() => String, { nullable: true, description: 'What is wrong with that record.' })
  problem!: string | null;

  @Field(() => String, { nullable: true, description: 'Id of the newest record.' })
  headId!: string | null;

  @Field(() => String, { nullable: true, description: 'Hash of the newest record (hex): keep it outside the database.' })
  headHash!: string | null;
}
