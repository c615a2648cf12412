// The CPU a request limit costs per task: RequestLimit against p-queue, with a queue 200,000 deep
// and two slots, as a BMC's requests wait for its per-BMC limit; then both with the crawl's
// priorities (one task in three leads to more reads and goes first). `node bench/limit.ts`.
//
// The limit is hand-written only while this shows it is worth it (DEVELOPERS.md).
import PQueue from 'p-queue';
import { RequestLimit, type Priority } from '../src/redfish/limit.ts';

const TASKS = 200_000;

async function cost(name: string, add: (task: () => Promise<number>, index: number) => Promise<number>): Promise<void> {
  for (const measured of [false, true]) {
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: TASKS }, (_, index) => add(() => Promise.resolve(index), index)));
    const used = process.cpuUsage(cpu);
    if (measured) console.log(`${name.padEnd(44)} ${((used.user + used.system) / TASKS).toFixed(2)} µs of CPU per task`);
  }
}

const signal = new AbortController().signal;
const priority = (index: number): Priority => (index % 3 === 0 ? 'unlocks' : 'leaf');
const queue = new PQueue({ concurrency: 2 });
await cost('p-queue, with a signal', (task) => queue.add(task, { signal }));
const limit = new RequestLimit({ concurrency: 2 });
await cost('RequestLimit, with a signal', (task) => limit.run(task, signal));
const ranked = new PQueue({ concurrency: 2 });
await cost('p-queue, with a signal and priorities', (task, index) => ranked.add(task, { signal, priority: priority(index) === 'unlocks' ? 1 : 0 }));
const levels = new RequestLimit({ concurrency: 2 });
await cost('RequestLimit, with a signal and priorities', (task, index) => levels.run(task, signal, priority(index)));
