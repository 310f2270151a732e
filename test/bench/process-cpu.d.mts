/** User plus system CPU time of `pid`, in ms, from /proc/<pid>/stat (Linux only). */
export function cpuMs(pid: number): Promise<number>;
