import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokenResolver } from './api-token.resolver.js';
import { AuthGuard } from './auth.guard.js';

@Module({
  providers: [ApiTokenResolver, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
