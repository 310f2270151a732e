import { BinaryWriter } from '@bufbuild/protobuf/wire';
import * as grpc from '@grpc/grpc-js';
import { AgentGatewayServiceClient, AgentGatewayServiceService, AgentMessage } from '@flotilla/protocol';

/**
 * One writer for every message the process sends on agent streams. A new writer per message (the
 * generated serializer's way) starts at 128 bytes and doubles, copying, up to the size of a status
 * with its resource entries, then is copied twice more on the way out: in a storm that was a fifth
 * of a simulated agent's CPU. This one keeps the size of the largest message sent so far (bounded
 * by MAX_AGENT_MESSAGE_BYTES), and its output is handed to grpc-js without another copy.
 */
const writer = new BinaryWriter();

/** `AgentMessage.encode`, byte for byte, into the process's writer. */
export function serializeAgentMessage(message: AgentMessage): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = AgentMessage.encode(message, writer).finish();
  } catch (error) {
    writer.finish(); // a message that failed half-way must not become the start of the next one
    throw error;
  }
  // finish() returned a copy of exactly these bytes: wrapping it copies nothing.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The generated client of the agent service, sending with serializeAgentMessage. */
export const AgentStreamClient = grpc.makeGenericClientConstructor(
  { connect: { ...AgentGatewayServiceService.connect, requestSerialize: serializeAgentMessage } },
  'flotilla.agent.v1.AgentGatewayService',
) as unknown as typeof AgentGatewayServiceClient;
