import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import type { AgentMessage } from '@flotilla/protocol';
import { AgentSession } from './agent-session.js';
import type { OutgoingHubMessage } from './hub-message.codec.js';

/** A stream whose socket takes `room` writes before it pushes back, until drain() empties it. */
class FakeCall extends EventEmitter {
  readonly written: string[] = [];
  readonly reading: string[] = [];
  readonly _readableState = { highWaterMark: 16 };
  private buffered = 0;

  constructor(private readonly room: number) {
    super();
  }

  write(message: OutgoingHubMessage): boolean {
    this.written.push(Buffer.isBuffer(message) ? message.toString() : JSON.stringify(message));
    this.buffered++;
    return this.buffered < this.room;
  }

  drain(): void {
    this.buffered = 0;
    this.emit('drain');
  }

  end(): void {
    this.emit('close');
  }

  pause(): void {
    this.reading.push('pause');
  }

  resume(): void {
    this.reading.push('resume');
  }
}

const open = (room: number) => {
  const call = new FakeCall(room);
  const closed: AgentSession[] = [];
  const session = new AgentSession('c1', '01', 1n, call as unknown as grpc.ServerDuplexStream<AgentMessage, OutgoingHubMessage>, (s) => closed.push(s));
  return { call, session, closed };
};
const bytes = (text: string) => Buffer.from(text);

describe('AgentSession', () => {
  it('writes at once while the stream takes writes', () => {
    const { call, session } = open(10);
    session.enqueue('web', bytes('web@1'));
    session.enqueue('api', bytes('api@1'));
    expect(call.written).toEqual(['web@1', 'api@1']);
    expect(session.written).toBe(2);
  });

  it('waits for drain when the stream pushes back, keeping only the newest message per bundle', () => {
    const { call, session } = open(1);
    session.enqueue('web', bytes('web@1')); // fills the socket
    session.enqueue('web', bytes('web@2'));
    session.enqueue('api', bytes('api@1'));
    session.enqueue('web', bytes('web@3')); // replaces web@2 while it waits
    expect(call.written).toEqual(['web@1']);
    call.drain();
    expect(call.written).toEqual(['web@1', 'api@1']); // one write, then the stream pushes back again
    call.drain();
    expect(call.written).toEqual(['web@1', 'api@1', 'web@3']);
    call.drain();
    expect(call.written).toHaveLength(3);
  });

  it('holds at most one message per bundle however many changes arrive while the agent reads nothing', () => {
    const { call, session } = open(1);
    session.enqueue('web', bytes('first'));
    for (let generation = 2; generation <= 1_000; generation++) session.enqueue(`b${generation % 3}`, bytes(`g${generation}`));
    call.drain();
    call.drain();
    call.drain();
    expect(call.written).toEqual(['first', 'g998', 'g999', 'g1000']);
  });

  it('writes nothing after the stream closed, and reports the close once', () => {
    const { call, session, closed } = open(1);
    session.enqueue('web', bytes('web@1'));
    session.enqueue('api', bytes('api@1'));
    call.emit('close');
    call.emit('error', new Error('gone'));
    call.drain();
    session.enqueue('web', bytes('web@2'));
    session.sendNow({ body: { $case: 'ping', value: { sentAtUnixMs: 0n } } });
    expect(call.written).toEqual(['web@1']);
    expect(closed).toEqual([session]);
    expect(session.isOpen).toBe(false);
  });

  it('pauses reading once until resumed, counts no silence from the pause, and never resumes a closed stream', () => {
    const { call, session } = open(10);
    session.lastSeen = 0;
    expect(session.pauseReading()).toBe(true);
    expect(session.pauseReading()).toBe(false);
    expect(session.isReadingPaused).toBe(true);
    session.resumeReading();
    session.resumeReading();
    expect(call.reading).toEqual(['pause', 'resume']);
    expect(session.isReadingPaused).toBe(false);
    expect(Date.now() - session.lastSeen).toBeLessThan(1_000);

    expect(session.pauseReading()).toBe(true);
    call.end();
    session.resumeReading();
    expect(session.pauseReading()).toBe(false);
    expect(call.reading).toEqual(['pause', 'resume', 'pause']);
  });

  it('lets a paused stream read ahead by one message, not a stream’s default sixteen', () => {
    expect(open(10).call._readableState.highWaterMark).toBe(1);
  });
});
