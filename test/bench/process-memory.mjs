// Where a process's resident memory is, read from /proc/<pid> — shared by bench:agent's two parts
// (the agent core measuring itself, and the benchmark measuring the shipped agent from outside).
// Plain JavaScript, so that importing it adds no TypeScript loader to a measured process.
import { readFile, readlink } from 'node:fs/promises';

const mib = (bytes) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** VmRSS, and the resident pages of the node binary, glibc's heap and anonymous mappings (the V8 heap, mostly), in MiB. */
export async function residentMemory(pid = 'self') {
  const proc = `/proc/${pid}`;
  const executable = await readlink(`${proc}/exe`);
  const status = await readFile(`${proc}/status`, 'utf8');
  const totals = { nodeBinary: 0, mallocHeap: 0, anonymous: 0 };
  let region;
  for (const line of (await readFile(`${proc}/smaps`, 'utf8')).split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const name = mapping[1] ?? '';
      region = name === '' ? 'anonymous' : name === '[heap]' ? 'mallocHeap' : name === executable ? 'nodeBinary' : undefined;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && region) totals[region] += Number(rss[1]) * 1024;
  }
  return {
    rssMib: mib(Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024),
    nodeBinaryMib: mib(totals.nodeBinary),
    mallocMib: mib(totals.mallocHeap),
    anonymousMib: mib(totals.anonymous),
  };
}
