import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'flotilla:public-route';

/** Marks an HTTP route as reachable without an API token (probes, metrics, signed webhooks). */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);
