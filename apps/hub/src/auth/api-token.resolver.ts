import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiTokenRepository, type ApiRole, type Principal } from '@flotilla/database';
import { DataSource } from 'typeorm';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { PageArgs, pageSize, type Page } from '../graphql/pagination.js';
import { selectApiTokenPage } from './api-token-list.query.js';
import { ApiTokenPageModel } from './dtos/api-token-page.model.js';
import { AuthException, AuthExceptionCode } from './auth.exception.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import { ApiTokenModel, CreatedApiTokenModel, PrincipalModel, type ApiRoleModel } from './dtos/api-token.model.js';
import { CreateApiTokenInput } from './dtos/create-api-token.input.js';
import { RequireRole } from './require-role.decorator.js';

const DAY_MS = 86_400_000;

@Resolver(() => ApiTokenModel)
export class ApiTokenResolver {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly dataSource: DataSource,
  ) {}

  @Query(() => PrincipalModel, { description: 'Who the caller is.' })
  me(@CurrentPrincipal() principal: Principal): PrincipalModel {
    return { tokenId: principal.tokenId, name: principal.name, role: principal.role as ApiRoleModel };
  }

  @Query(() => ApiTokenPageModel, { description: 'A page of API tokens, revoked ones included, oldest first. Admin only.' })
  @RequireRole('admin')
  async apiTokens(@Args() page: PageArgs): Promise<Page<ApiTokenModel>> {
    return selectApiTokenPage(this.dataSource, pageSize(page.first), page.after);
  }

  @Mutation(() => CreatedApiTokenModel, { description: 'Creates a token; its secret is in the answer and nowhere else. Admin only.' })
  @RequireRole('admin')
  async createApiToken(@Args('input') input: CreateApiTokenInput, @CurrentPrincipal() principal: Principal): Promise<CreatedApiTokenModel> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw new InvalidInputException('input.name', 'must be 1-100 characters');
    const days = input.expiresInDays;
    if (days !== undefined && days !== null && (days < 1 || days > 3650)) {
      throw new InvalidInputException('input.expiresInDays', `must be from 1 to 3650, got ${days}`);
    }
    const issued = await this.tokens.issue({
      name,
      role: input.role as ApiRole,
      createdBy: principal.name,
      expiresAt: days ? new Date(Date.now() + days * DAY_MS) : null,
    });
    return { token: issued.token, apiToken: issued.record as ApiTokenModel };
  }

  @Mutation(() => ApiTokenModel, { description: 'Revokes a token at once: its next request is refused. Admin only.' })
  @RequireRole('admin')
  async revokeApiToken(@Args('id', { type: () => ID }) id: string): Promise<ApiTokenModel> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new InvalidInputException('id', 'must be an API token id (a UUID)');
    const revoked = await this.tokens.revoke(id);
    if (!revoked) throw new AuthException(AuthExceptionCode.TokenNotFound, `no API token has id ${id}`);
    return revoked as ApiTokenModel;
  }
}
