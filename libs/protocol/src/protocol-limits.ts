/** The protocol version this build speaks. The hub also accepts agents one version behind. */
export const PROTOCOL_VERSION = 1;
export const OLDEST_SUPPORTED_PROTOCOL_VERSION = PROTOCOL_VERSION - 1;

/** Largest hub → agent message: a Desired carries a whole bundle's manifests. */
export const MAX_HUB_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Largest agent → hub message: a status with many resources and drift entries. */
export const MAX_AGENT_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Agents send a heartbeat this often; the hub calls a cluster Disconnected after three missed. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
export const MISSED_HEARTBEATS_BEFORE_DISCONNECTED = 3;

/** gRPC channel options both sides use, so the limits above are enforced, not defaulted. */
export function grpcChannelOptions(side: 'hub' | 'agent'): Record<string, number> {
  return {
    'grpc.max_receive_message_length': side === 'hub' ? MAX_AGENT_MESSAGE_BYTES : MAX_HUB_MESSAGE_BYTES,
    'grpc.max_send_message_length': side === 'hub' ? MAX_HUB_MESSAGE_BYTES : MAX_AGENT_MESSAGE_BYTES,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  };
}
