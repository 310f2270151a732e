// CPU time a process has used, read from /proc/<pid>/stat — shared by the benchmarks that run
// what they measure in processes of its own. Plain JavaScript, like process-memory.mjs.
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User plus system CPU time of `pid`, in ms. */
export async function cpuMs(pid) {
  // The command name (field 2) is in parentheses and may hold spaces: fields are counted after it.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** User plus system CPU time of each process named `name` (e.g. every PostgreSQL backend and worker, whoever started them), in ms by pid. */
export async function cpuMsByProcess(name) {
  const byPid = new Map();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readFile(`/proc/${entry}/comm`, 'utf8')).trim() === name) byPid.set(Number(entry), await cpuMs(Number(entry)));
    } catch {
      // it ended while being read
    }
  }
  return byPid;
}

/** The CPU used between two cpuMsByProcess readings: processes started meanwhile count whole; those that ended meanwhile are lost. */
export function cpuMsBetween(before, after) {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
