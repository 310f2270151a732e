import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ApiRoleModel {
  viewer = 'viewer',
  operator = 'operator',
  admin = 'admin',
}

registerEnumType(ApiRoleModel, {
  name: 'ApiRole',
  description: 'viewer reads; operator also changes the fleet; admin also manages tokens and reads the audit log.',
});

@ObjectType('ApiToken', { description: 'An API token. The secret itself is shown only once, when it is created.' })
export class ApiTokenModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'A name saying who or what uses the token.' })
  name!: string;

  @Field(() => ApiRoleModel)
  role!: ApiRoleModel;

  @Field({ description: 'The first characters of the secret, to recognise it.' })
  displayPrefix!: string;

  @Field({ description: 'Who created the token.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last successful use, to the minute.' })
  lastUsedAt!: Date | null;
}

@ObjectType('CreatedApiToken', { description: 'A new token and its secret. Store the secret now: it cannot be shown again.' })
export class CreatedApiTokenModel {
  @Field({ description: 'The bearer secret: send it as "Authorization: Bearer <token>".' })
  token!: string;

  @Field(() => ApiTokenModel)
  apiToken!: ApiTokenModel;
}

@ObjectType('Principal', { description: 'The caller, as established from its token.' })
export class PrincipalModel {
  @Field(() => ID)
  tokenId!: string;

  @Field()
  name!: string;

  @Field(() => ApiRoleModel)
  role!: ApiRoleModel;
}
