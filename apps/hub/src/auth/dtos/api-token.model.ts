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
  @Field(() => ID, { description: 'Stable id of the token (not the secret).' })
  id!: string;

  @Field({ description: 'A name saying who or what uses the token.' })
  name!: string;

  @Field(() => ApiRoleModel, { description: 'What the token may do.' })
  role!: ApiRoleModel;

  @Field({ description: 'The first characters of the secret, to recognise it.' })
  displayPrefix!: string;

  @Field({ description: 'Who created the token.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime, { description: 'When the token was created.' })
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the token stops working; never when null.' })
  expiresAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the token was revoked; null while it works.' })
  revokedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last successful use, to the minute.' })
  lastUsedAt!: Date | null;
}

@ObjectType('CreatedApiToken', { description: 'A new token and its secret. Store the secret now: it cannot be shown again.' })
export class CreatedApiTokenModel {
  @Field({ description: 'The bearer secret: send it as "Authorization: Bearer <token>".' })
  token!: string;

  @Field(() => ApiTokenModel, { description: 'The stored record of the new token.' })
  apiToken!: ApiTokenModel;
}

@ObjectType('Principal', { description: 'The caller, as established from its token.' })
export class PrincipalModel {
  @Field(() => ID, { description: 'Id of the API token.' })
  tokenId!: string;

  @Field({ description: 'Name of the API token.' })
  name!: string;

  @Field(() => ApiRoleModel, { description: 'Role of the API token.' })
  role!: ApiRoleModel;
}
