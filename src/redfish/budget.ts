// One BMC's memory budget for a sweep: every queued read and every body is charged before it costs
// anything, so no input from one BMC can take more than a fixed amount of the collector's memory.
import { RedfishError } from './errors.ts';
import { jsonValues } from './json.ts';

// The price of one read (its outcome, cache entry and promises), taken when it is queued, so that
// a BMC listing a million links cannot queue a million reads.
const READ_COST = 1024;
// A BMC's first bodies are charged what they could cost at most (33× their bytes: a value per two
// bytes), without counting their values; most BMCs send less than this in a whole sweep.
const UNCOUNTED_BYTES = 256 * 1024;

export class MemoryBudget {
  /** Set once the BMC's answers cost more than the budget: every later read fails with it. */
  exhausted: RedfishError | undefined;
  #spent = 0;
  #uncounted = 0;

  readonly #limitBytes: number;
  readonly #origin: string;
  readonly #onExhausted: (error: RedfishError) => void;

  /** ON_EXHAUSTED runs once, when the budget is first passed (to drop the reads still queued). */
  constructor(limitBytes: number, origin: string, onExhausted: (error: RedfishError) => void) {
    this.#limitBytes = limitBytes;
    this.#origin = origin;
    this.#onExhausted = onExhausted;
  }

  /** A read about to be queued. */
  read(path: string): void {
    this.#charge(READ_COST, path);
  }

  /** A body, before it is parsed; made once so the transport can call it as it is. */
  readonly body = (raw: Uint8Array, path: string): void => {
    let cost: number;
    if (this.#uncounted + raw.length <= UNCOUNTED_BYTES) {
      this.#uncounted += raw.length;
      cost = 33 * raw.length + 64;
    } else {
      cost = raw.length + 64 * jsonValues(raw);
    }
    this.#charge(cost, path);
  };

  // Past the budget, this and every later charge fail with the same error.
  #charge(cost: number, path: string): void {
    this.#spent += cost;
    if (this.#spent > this.#limitBytes && !this.exhausted) {
      const budget = `${Math.round(this.#limitBytes / 1048576)} MiB`;
      this.exhausted = new RedfishError(
        'bad-response',
        `GET ${path}: the BMC's answers would cost more than the ${budget} one BMC may in a sweep (1 KiB a read, plus each body's bytes and 64 bytes per JSON value); it is not read further`,
        { bmc: this.#origin, method: 'GET', path },
      );
      this.#onExhausted(this.exhausted);
    }
    if (this.exhausted) throw this.exhausted;
  }
}
