import type { ServerOptions } from '@grpc/grpc-js';
import { grpcChannelOptions } from '@flotilla/protocol';

/**
 * The agent stream's gRPC server options: the protocol's limits, and channelz off — the hub serves
 * no channelz service, and with it on grpc-js keeps per-connection trace state and stamps every
 * message with a new Date, memory and garbage that grow with the fleet.
 */
export function gatewayServerOptions(): ServerOptions {
  return { ...grpcChannelOptions('hub'), 'grpc.enable_channelz': 0 };
}
