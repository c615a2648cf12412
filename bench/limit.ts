// The CPU a request limit costs per task: RequestLimit against p-queue, with a queue 200,000 deep
// and two slots, as a BMC's requests wait for its per-BMC limit. `node bench/limit.ts`.
import PQueue from 'p-queue';
import { RequestLimit } from '../src/redfish/limit.ts';

const TASKS = 200_000;

async function cost(name: string, add: (task: () => Promise<number>) => Promise<number>): Promise<void> {
  for (const measured of [false, true]) {
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: TASKS }, (_, index) => add(() => Promise.resolve(index))));
    const used = process.cpuUsage(cpu);
    if (measured) console.log(`${name.padEnd(28)} ${((used.user + used.system) / TASKS).toFixed(2)} µs of CPU per task`);
  }
}

const signal = new AbortController().signal;
const queue = new PQueue({ concurrency: 2 });
await cost('p-queue, with a signal', (task) => queue.add(task, { signal }));
const limit = new RequestLimit({ concurrency: 2 });
await cost('RequestLimit, with a signal', (task) => limit.run(task, signal));
