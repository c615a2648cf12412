// The per-BMC request limit: at most so many requests on the wire at once to one BMC, first come
// first served within a priority, optionally spaced to a rate. (Every request then passes the
// fleet's budget, ./fleet.ts.)
//
// Every Redfish request passes one of these. p-queue costs 13–17 µs of CPU a task (task ids, an
// event per start and end, async-context binding, abort races), over 1 ms per BMC at 50 requests;
// this costs ~4 µs (`node bench/limit.ts`, which also times both with priorities). p-queue still
// runs the sweep's BMCs, a task each.

import { Fifo } from './fifo.ts';

/**
 * Which waiting task goes first: `urgent` (a logout: it frees a session and a BMC worker), then
 * `unlocks` (a read whose answer leads to more reads), then `leaf` (a read that leads nowhere).
 */
export type Priority = 'urgent' | 'unlocks' | 'leaf';

const LEVELS: Readonly<Record<Priority, number>> = { urgent: 0, unlocks: 1, leaf: 2 };

/** Options of a limit. */
export interface RequestLimitOptions {
  /** Tasks running at once. */
  readonly concurrency: number;
  /** Least time between two starts, in ms; 0 for none. @default 0 */
  readonly spacingMs?: number;
}

interface Waiter {
  readonly start: () => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  done: boolean;
}

/** A limit on tasks in flight, FIFO within each priority. */
export class RequestLimit {
  #concurrency: number;
  readonly #spacingMs: number;
  #active = 0;
  #nextStartAt = 0;
  #timer: NodeJS.Timeout | undefined;
  // One queue per priority, most urgent first.
  readonly #queues: Fifo<Waiter>[] = [new Fifo(), new Fifo(), new Fifo()];
  #queued = 0;
  // One abort listener per signal, not per task: an EventTarget checks every listener it has
  // for a duplicate on each add, so a listener per waiting task is quadratic in the queue.
  readonly #watched = new Map<AbortSignal, () => void>();

  constructor(options: RequestLimitOptions) {
    this.#concurrency = checkConcurrency(options.concurrency);
    this.#spacingMs = options.spacingMs ?? 0;
  }

  /** Tasks allowed to run at once. */
  get concurrency(): number {
    return this.#concurrency;
  }

  /** Changes how many tasks may run at once: more start now; fewer lets running ones finish. */
  set concurrency(value: number) {
    const before = this.#concurrency;
    this.#concurrency = checkConcurrency(value);
    if (value > before) this.#schedule();
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.#queues) for (const waiter of queue) if (!waiter.done) count++;
    return count;
  }

  /**
   * Runs `task` when a slot is free and no task of its priority or a more urgent one waits, and
   * resolves or rejects as it does. A task still waiting when `signal` aborts never starts: the
   * promise rejects with the signal's reason.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal, priority: Priority = 'unlocks'): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#queued === 0 && this.#mayStart()) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      this.#queues[LEVELS[priority]]!.push({ done: false, signal, reject, start: () => void this.#start(task).then(resolve, reject) });
      this.#queued++;
      if (signal) this.#watch(signal);
      this.#schedule();
    });
  }

  /** Rejects every waiting task with `reason`; running tasks go on. */
  clear(reason: unknown): void {
    for (const queue of this.#queues) {
      for (const waiter of queue) {
        if (waiter.done) continue;
        waiter.done = true;
        waiter.reject(reason);
      }
      queue.clear();
    }
    this.#queued = 0;
    for (const [signal, onAbort] of this.#watched) signal.removeEventListener('abort', onAbort);
    this.#watched.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    const onAbort = () => {
      this.#watched.delete(signal);
      for (const queue of this.#queues) {
        for (const waiter of queue) {
          if (waiter.done || waiter.signal !== signal) continue;
          waiter.done = true;
          this.#queued--;
          waiter.reject(signal.reason);
        }
      }
    };
    this.#watched.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  #mayStart(): boolean {
    return this.#active < this.#concurrency && (this.#spacingMs === 0 || performance.now() >= this.#nextStartAt);
  }

  #start<T>(task: () => Promise<T>): Promise<T> {
    this.#active++;
    if (this.#spacingMs > 0) this.#nextStartAt = performance.now() + this.#spacingMs;
    let running: Promise<T>;
    try {
      running = task();
    } catch (error) {
      running = Promise.reject(error);
    }
    // then() with handlers made once per limit, not finally(): finally() adds a promise, a tick
    // and two closures to every request.
    return running.then(this.#released, this.#failed) as Promise<T>;
  }

  readonly #released = (value: unknown): unknown => {
    this.#active--;
    this.#schedule();
    return value;
  };

  readonly #failed = (error: unknown): never => {
    this.#active--;
    this.#schedule();
    throw error;
  };

  // Starts waiting tasks while slots are free, the most urgent first; with spacing, waits for the
  // next start time.
  #schedule(): void {
    for (const queue of this.#queues) {
      for (let waiter = queue.peek(); waiter; waiter = queue.peek()) {
        if (waiter.done) {
          queue.shift();
          continue;
        }
        if (this.#active >= this.#concurrency) return;
        if (!this.#mayStart()) {
          this.#timer ??= setTimeout(() => {
            this.#timer = undefined;
            this.#schedule();
          }, Math.max(1, Math.ceil(this.#nextStartAt - performance.now())));
          return;
        }
        waiter.done = true;
        queue.shift();
        this.#queued--;
        waiter.start();
      }
    }
  }
}

function checkConcurrency(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`Expected \`concurrency\` to be an integer from 1 up, got \`${value}\` (${typeof value})`);
  return value;
}
