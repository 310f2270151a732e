// CPU time a process has used, read from /proc/<pid>/stat — shared by the benchmarks that run
// what they measure in processes of its own. Plain JavaScript, like process-memory.mjs.
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU time of `pid`, in ms. */
export async function cpuMs(pid) {
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}
