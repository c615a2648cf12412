import { describe, expect, it } from 'vitest';
import { RequestLimit } from '../../src/redfish/limit.ts';

// A task that runs until released, recording when it started.
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('RequestLimit', () => {
  it('runs at most `concurrency` tasks at once, in the order they came', async () => {
    const limit = new RequestLimit({ concurrency: 2 });
    const started: number[] = [];
    const gates = Array.from({ length: 5 }, gate);
    const runs = gates.map((g, index) =>
      limit.run(async () => {
        started.push(index);
        await g.opened;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.active).toBe(2);
    expect(limit.waiting).toBe(3);
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(limit.active).toBe(0);
  });

  it('passes a failing task its error and frees the slot', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    const failing = limit.run(() => Promise.reject(new Error('broken BMC')));
    const throwing = limit.run(() => {
      throw new Error('thrown before a promise');
    });
    const next = limit.run(async () => 'next');
    await expect(failing).rejects.toThrow('broken BMC');
    await expect(throwing).rejects.toThrow('thrown before a promise');
    await expect(next).resolves.toBe('next');
  });

  it('drops a waiting task when its signal aborts, and never starts it', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    const first = gate();
    const running = limit.run(() => first.opened);
    const controller = new AbortController();
    let started = false;
    const waiting = limit.run(async () => {
      started = true;
    }, controller.signal);
    controller.abort(new Error('deadline passed'));
    await expect(waiting).rejects.toThrow('deadline passed');
    expect(limit.waiting).toBe(0);
    first.open();
    await running;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toBe(false);
  });

  it('refuses a task whose signal is already aborted', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    await expect(limit.run(async () => 1, AbortSignal.abort(new Error('cancelled')))).rejects.toThrow('cancelled');
    expect(limit.active).toBe(0);
  });

  it('rejects every waiting task on clear, and lets running ones finish', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    const first = gate();
    const running = limit.run(async () => {
      await first.opened;
      return 'done';
    });
    const waiting = [limit.run(async () => 1), limit.run(async () => 2)];
    limit.clear(new Error('client closed'));
    for (const task of waiting) await expect(task).rejects.toThrow('client closed');
    first.open();
    await expect(running).resolves.toBe('done');
  });

  it('spaces starts by spacingMs', async () => {
    const limit = new RequestLimit({ concurrency: 4, spacingMs: 30 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => limit.run(async () => void starts.push(performance.now()))));
    for (let index = 1; index < starts.length; index++) expect(starts[index]! - starts[index - 1]!).toBeGreaterThanOrEqual(29);
  });

  it('keeps its order over a long queue', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 5000 }, (_, index) => limit.run(async () => void order.push(index))));
    expect(order).toEqual(Array.from({ length: 5000 }, (_, index) => index));
  });

  it('starts the most urgent waiting task first, and in order within a priority', async () => {
    const limit = new RequestLimit({ concurrency: 1 });
    const first = gate();
    const started: string[] = [];
    const task = (name: string) => async () => void started.push(name);
    const runs = [
      limit.run(() => first.opened),
      limit.run(task('leaf 1'), undefined, 'leaf'),
      limit.run(task('unlocks 1'), undefined, 'unlocks'),
      limit.run(task('leaf 2'), undefined, 'leaf'),
      limit.run(task('urgent'), undefined, 'urgent'),
      limit.run(task('unlocks 2')),
    ];
    expect(limit.waiting).toBe(5);
    first.open();
    await Promise.all(runs);
    expect(started).toEqual(['urgent', 'unlocks 1', 'unlocks 2', 'leaf 1', 'leaf 2']);
  });

  it('takes a new concurrency at once: more starts waiting tasks, fewer lets running ones finish', async () => {
    const limit = new RequestLimit({ concurrency: 2 });
    const gates = Array.from({ length: 6 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, index) =>
      limit.run(async () => {
        started.push(index);
        await g.opened;
      }),
    );
    expect(started).toEqual([0, 1]);
    limit.concurrency = 3;
    expect(started).toEqual([0, 1, 2]);
    limit.concurrency = 1;
    expect(limit.active).toBe(3);
    gates[0]!.open();
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    // Two finished; one still runs and one is the limit now: nothing new starts until it is done.
    expect(started).toEqual([0, 1, 2]);
    gates[2]!.open();
    await runs[2];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(() => {
      limit.concurrency = 0;
    }).toThrow(/Expected `concurrency` to be an integer from 1 up, got `0`/);
  });

  it('names a bad concurrency', () => {
    expect(() => new RequestLimit({ concurrency: 0 })).toThrow(/Expected `concurrency` to be an integer from 1 up, got `0`/);
  });
});
