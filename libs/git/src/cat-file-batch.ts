import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { killProcessGroup } from './run-git.util.js';

/** One answer of `git cat-file --batch --follow-symlinks`. */
export type BatchObject =
  | { readonly kind: 'object'; readonly oid: string; readonly type: string; readonly size: number; readonly content: Buffer }
  /** The object exceeds the reader's maxObjectBytes; its bytes were skipped, not kept. */
  | { readonly kind: 'too-large'; readonly oid: string; readonly type: string; readonly size: number }
  | { readonly kind: 'missing' }
  /** A symlink that leaves the tree (absolute, or above the root); `target` is what it points at. */
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'dangling' | 'loop' | 'notdir'; readonly detail: string };

interface Pending {
  readonly resolve: (value: BatchObject) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One long-lived `git cat-file --batch --follow-symlinks` process reading many objects: requests
 * are written to its stdin and answered in order. Objects over `maxObjectBytes` are skipped while
 * streaming, so one huge blob never sits in memory.
 */
export class CatFileBatch {
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private readonly queue: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private current: { header: { oid: string; type: string; size: number }; chunks: Buffer[]; remaining: number; keep: boolean } | undefined;
  private stderr = '';
  private failure: Error | undefined;

  constructor(gitDir: string, env: NodeJS.ProcessEnv, private readonly maxObjectBytes: number) {
    this.child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch', '--follow-symlinks'], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4_096)));
    this.child.stdin.on('error', () => undefined); // EPIPE after a crash is reported through 'close'
    this.child.on('error', (error) => this.fail(new Error(`git cat-file could not start: ${error.message}`)));
    this.child.on('close', (code) => this.fail(new Error(`git cat-file exited (${code}): ${this.stderr.trim()}`)));
  }

  /** Reads an object by id or by `<tree-ish>:<path>` (symlinks inside the tree are followed). */
  read(spec: string): Promise<BatchObject> {
    if (this.failure) return Promise.reject(this.failure);
    if (/[\r\n]/.test(spec)) return Promise.reject(new Error('a cat-file request cannot contain a line break'));
    return new Promise<BatchObject>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.child.stdin.write(`${spec}\n`);
    });
  }

  close(): void {
    this.failure ??= new Error('the cat-file reader is closed');
    this.child.stdin.end();
    killProcessGroup(this.child.pid);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.queue.splice(0)) pending.reject(this.failure);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length > 0) {
      if (this.current) {
        const take = Math.min(this.current.remaining, this.buffer.length);
        if (this.current.keep) this.current.chunks.push(this.buffer.subarray(0, take));
        this.current.remaining -= take;
        this.buffer = this.buffer.subarray(take);
        if (this.current.remaining > 0) return;
        const { header, chunks, keep } = this.current;
        this.current = undefined;
        const content = Buffer.concat(chunks);
        // The object is followed by one LF, counted in `remaining`.
        this.answer(keep ? { ...header, kind: 'object', content: content.subarray(0, header.size) } : { ...header, kind: 'too-large' });
        continue;
      }
      const newline = this.buffer.indexOf(0x0a);
      if (newline < 0) return;
      const line = this.buffer.subarray(0, newline).toString('utf8');
      this.buffer = this.buffer.subarray(newline + 1);
      const object = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(line);
      if (object) {
        const size = Number(object[3]);
        const keep = size <= this.maxObjectBytes;
        this.current = { header: { oid: object[1]!, type: object[2]!, size }, chunks: [], remaining: size + 1, keep };
        continue;
      }
      if (line.endsWith(' missing')) {
        this.answer({ kind: 'missing' });
        continue;
      }
      const special = /^(symlink|dangling|loop|notdir) (\d+)$/.exec(line);
      if (special) {
        // These carry a payload line: the target (symlink) or the request (others).
        const size = Number(special[2]);
        if (this.buffer.length < size + 1) {
          this.buffer = Buffer.concat([Buffer.from(`${line}\n`), this.buffer]);
          return;
        }
        const detail = this.buffer.subarray(0, size).toString('utf8');
        this.buffer = this.buffer.subarray(size + 1);
        const kind = special[1] as 'symlink' | 'dangling' | 'loop' | 'notdir';
        this.answer(kind === 'symlink' ? { kind, target: detail } : { kind, detail });
        continue;
      }
      this.fail(new Error(`git cat-file answered an unexpected line: ${line.slice(0, 200)}`));
      return;
    }
  }

  private answer(value: BatchObject): void {
    this.queue.shift()?.resolve(value);
  }
}
