import { AgentGatewayServiceService, Desired, HubMessage } from '@flotilla/protocol';

/**
 * A HubMessage already encoded to its protobuf bytes. The gateway's serializer passes these
 * through untouched, so a fan-out encodes the content every cluster shares once, not once per stream.
 */
export type EncodedHubMessage = Buffer;

/** What the gateway writes to an agent stream: a message to encode, or bytes encoded earlier. */
export type OutgoingHubMessage = HubMessage | EncodedHubMessage;

/** Encodes a message, or passes pre-encoded bytes through (grpc-js frames whatever this returns). */
export function serializeHubMessage(value: OutgoingHubMessage): Buffer {
  if (Buffer.isBuffer(value)) return value;
  const bytes = HubMessage.encode(value).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The agent service as the hub serves it: the generated definition, with a serializer that accepts pre-encoded bytes. */
export const GATEWAY_SERVICE = {
  connect: { ...AgentGatewayServiceService.connect, responseSerialize: serializeHubMessage },
} as const;

/** HubMessage field 11 (`desired`), length-delimited. */
const DESIRED_TAG = (11 << 3) | 2;
/** Desired field 2 (`generation`), varint. */
const GENERATION_TAG = (2 << 3) | 0;

/**
 * A Desired without its generation, encoded once: the bytes before the generation field (the
 * bundle name) and after it (hash, revision, content, dependencies, suspension). Every cluster that
 * receives this content differs only in its generation, so each stream's message is two copies
 * and a varint — byte for byte what `HubMessage.encode` would produce.
 */
export class DesiredTemplate {
  private constructor(
    private readonly head: Uint8Array,
    private readonly tail: Uint8Array,
  ) {}

  static of(fields: Omit<Desired, 'generation'>): DesiredTemplate {
    const head = Desired.encode({ bundle: fields.bundle, generation: 0n, hash: '', revision: '', contentJson: '', dependsOn: [], suspend: false }).finish();
    const tail = Desired.encode({ ...fields, bundle: '', generation: 0n }).finish();
    return new DesiredTemplate(head, tail);
  }

  /** Bytes held (what a cache of templates costs). */
  get byteLength(): number {
    return this.head.byteLength + this.tail.byteLength;
  }

  /** The whole HubMessage carrying this Desired at `generation`. */
  encode(generation: bigint): EncodedHubMessage {
    if (generation < 0n || BigInt.asUintN(64, generation) !== generation) throw new RangeError(`generation ${generation} is not a uint64`);
    const generationBytes = generation === 0n ? 0 : 1 + varintLength(generation);
    const desiredLength = this.head.byteLength + generationBytes + this.tail.byteLength;
    const out = Buffer.allocUnsafe(1 + varintLength(BigInt(desiredLength)) + desiredLength);
    out[0] = DESIRED_TAG;
    let at = writeVarint(out, 1, BigInt(desiredLength));
    out.set(this.head, at);
    at += this.head.byteLength;
    if (generation !== 0n) {
      out[at] = GENERATION_TAG;
      at = writeVarint(out, at + 1, generation);
    }
    out.set(this.tail, at);
    return out;
  }
}

function varintLength(value: bigint): number {
  let length = 1;
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) length++;
  return length;
}

/** Writes `value` as a protobuf varint at `at`; returns the offset after it. */
function writeVarint(out: Buffer, at: number, value: bigint): number {
  let rest = value;
  while (rest >= 0x80n) {
    out[at++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  out[at++] = Number(rest);
  return at;
}
