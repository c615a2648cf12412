// The request limits of a sweep: at most so many requests on the wire at once (to one BMC, and
// across the fleet), first come first served, optionally spaced to a rate.
//
// Every Redfish request passes two of these. p-queue costs 13–17 µs of CPU a task (task ids, an
// event per start and end, async-context binding, abort races), over 1 ms per BMC at 50 requests;
// this costs ~4 µs (`node bench/limit.ts`). p-queue still runs the sweep's BMCs, a task each.

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

/** A FIFO limit on tasks in flight. */
export class RequestLimit {
  readonly concurrency: number;
  readonly #spacingMs: number;
  #active = 0;
  #nextStartAt = 0;
  #timer: NodeJS.Timeout | undefined;
  // A queue as an array and a head index: shift() is O(n) on a long queue.
  #waiting: Waiter[] = [];
  #head = 0;
  // One abort listener per signal, not per task: an EventTarget checks every listener it has
  // for a duplicate on each add, so a listener per waiting task is quadratic in the queue.
  readonly #watched = new Map<AbortSignal, () => void>();

  constructor(options: RequestLimitOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer from 1 up, got \`${options.concurrency}\` (${typeof options.concurrency})`);
    }
    this.concurrency = options.concurrency;
    this.#spacingMs = options.spacingMs ?? 0;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    let count = 0;
    for (let index = this.#head; index < this.#waiting.length; index++) if (!this.#waiting[index]!.done) count++;
    return count;
  }

  /**
   * Runs `task` when a slot is free, and resolves or rejects as it does. A task still waiting when
   * `signal` aborts never starts: the promise rejects with the signal's reason.
   */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#head === this.#waiting.length && this.#mayStart()) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ done: false, signal, reject, start: () => void this.#start(task).then(resolve, reject) });
      if (signal) this.#watch(signal);
      this.#schedule();
    });
  }

  /** Rejects every waiting task with `reason`; running tasks go on. */
  clear(reason: unknown): void {
    for (let index = this.#head; index < this.#waiting.length; index++) {
      const waiter = this.#waiting[index]!;
      if (waiter.done) continue;
      waiter.done = true;
      waiter.reject(reason);
    }
    this.#waiting = [];
    this.#head = 0;
    for (const [signal, onAbort] of this.#watched) signal.removeEventListener('abort', onAbort);
    this.#watched.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #watch(signal: AbortSignal): void {
    if (this.#watched.has(signal)) return;
    const onAbort = () => {
      this.#watched.delete(signal);
      for (let index = this.#head; index < this.#waiting.length; index++) {
        const waiter = this.#waiting[index]!;
        if (waiter.done || waiter.signal !== signal) continue;
        waiter.done = true;
        waiter.reject(signal.reason);
      }
    };
    this.#watched.set(signal, onAbort);
    signal.addEventListener('abort', onAbort, { once: true });
  }

  #mayStart(): boolean {
    return this.#active < this.concurrency && (this.#spacingMs === 0 || performance.now() >= this.#nextStartAt);
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

  // Starts waiting tasks while slots are free; with spacing, waits for the next start time.
  #schedule(): void {
    while (this.#head < this.#waiting.length) {
      const waiter = this.#waiting[this.#head]!;
      if (waiter.done) {
        this.#head++;
        continue;
      }
      if (this.#active >= this.concurrency) break;
      if (!this.#mayStart()) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#schedule();
        }, Math.max(1, Math.ceil(this.#nextStartAt - performance.now())));
        break;
      }
      waiter.done = true;
      this.#head++;
      waiter.start();
    }
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
  }
}
