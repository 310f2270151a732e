/** A process's resident memory in MiB: VmRSS, and where part of it is (from smaps). */
export interface ResidentMemory {
  readonly rssMib: number;
  /** The node executable's own resident pages (code, read-only data). */
  readonly nodeBinaryMib: number;
  /** The [heap] mapping: glibc malloc's main arena. */
  readonly mallocMib: number;
  /** Anonymous mappings: the V8 heap, mostly, and other malloc arenas. */
  readonly anonymousMib: number;
}

/** Reads /proc/<pid>/status and /proc/<pid>/smaps (Linux only); `pid` defaults to this process. */
export function residentMemory(pid?: number | 'self'): Promise<ResidentMemory>;
