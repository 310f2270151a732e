/** User plus system CPU time of `pid`, in ms, from /proc/<pid>/stat (Linux only). */
export function cpuMs(pid: number): Promise<number>;
/** User plus system CPU time of each process named `name` (from /proc/<pid>/comm), in ms by pid (Linux only). */
export function cpuMsByProcess(name: string): Promise<Map<number, number>>;
/** The CPU used between two cpuMsByProcess readings (processes that ended meanwhile are lost). */
export function cpuMsBetween(before: Map<number, number>, after: Map<number, number>): number;
