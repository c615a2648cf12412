// A FIFO of waiting requests in front of a few workers, as a BMC's web server has only a few threads.

/** Runs callbacks when one of `limit` slots is free, in arrival order. */
export class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#free = limit;
  }

  /** Runs `run` now if a slot is free, else when one is released. */
  acquire(run: () => void): void {
    if (this.#free > 0) {
      this.#free -= 1;
      run();
    } else {
      this.#waiting.push(run);
    }
  }

  /** Frees a slot, handing it to the longest waiting callback. */
  release(): void {
    const next = this.#waiting.shift();
    // Deferred, so releasing a run of abandoned requests never recurses deeply.
    if (next === undefined) this.#free += 1;
    else queueMicrotask(next);
  }
}
