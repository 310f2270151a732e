export * from './generated/flotilla/agent/v1/agent.js';
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  grpcChannelOptions,
  MAX_AGENT_MESSAGE_BYTES,
  MAX_HUB_MESSAGE_BYTES,
  MISSED_HEARTBEATS_BEFORE_DISCONNECTED,
  OLDEST_SUPPORTED_PROTOCOL_VERSION,
  PROTOCOL_VERSION,
} from './protocol-limits.js';
