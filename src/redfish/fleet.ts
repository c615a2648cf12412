// The fleet's budget: at most so many requests on the wire at once across every BMC of a sweep.
// Each BMC takes a seat; a request holds a slot only while it is on the wire.
//
// Who gets a slot that frees: a logout (it frees a session and a worker); then a BMC with nothing
// on the wire (each BMC keeps one lane busy before any has two); then another BMC's second
// request, and that only from slack. A BMC that may answer one request at a time (not yet found to
// work on several at once) and has nothing on the wire between two reads (it is parsing the last
// answer) keeps a slot: a second request given that slot would, on a serial BMC, only wait in the
// BMC's backlog while holding it, and the BMC whose slot it took would wait for the budget. A
// queued request whose BMC's other request is answered meanwhile goes up to the second rank.

import { Fifo } from './fifo.ts';
import type { FleetBudget, FleetBudgetSeat } from './hooks.ts';

interface Urgent {
  readonly seat: FleetSeat;
  readonly start: () => void;
}

/** A seat's place in a line: valid while it is the seat's current listing. */
interface Listing {
  readonly seat: FleetSeat;
  readonly line: Fifo<Listing>;
}

/** A limit on requests on the wire across a fleet of BMCs, each through its seat. */
export class FleetLimit implements FleetBudget {
  readonly concurrency: number;
  #active = 0;
  readonly #urgent = new Fifo<Urgent>();
  // Seats with a request waiting and nothing on the wire, and seats with one waiting beside one on the wire.
  readonly #alone = new Fifo<Listing>();
  readonly #beside = new Fifo<Listing>();
  // Seats that keep a slot: open, not found to work on several at once, nothing on the wire or waiting.
  #reserved = 0;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new TypeError(`Expected \`concurrency\` to be an integer from 1 up, got \`${concurrency}\` (${typeof concurrency})`);
    this.concurrency = concurrency;
  }

  /** Requests on the wire now. */
  get active(): number {
    return this.#active;
  }

  /** Slots kept free for seats between two requests. */
  get reserved(): number {
    return this.#reserved;
  }

  /** A seat for one BMC's client; `leave()` it when the client is done. */
  join(): FleetSeat {
    this.#reserved++;
    return new FleetSeat(this);
  }

  /** @internal */
  queue(seat: FleetSeat, start: () => void, urgent: boolean): void {
    if (seat.idle && seat.keepsSlot) this.#reserved--;
    seat.pending++;
    if (urgent) this.#urgent.push({ seat, start });
    else {
      seat.waiting.push(start);
      this.#list(seat);
    }
    this.#schedule();
  }

  /** @internal A seat's request is done (answered, failed or abandoned). */
  ended(seat: FleetSeat): void {
    this.#active--;
    seat.onWire--;
    if (seat.idle && seat.keepsSlot) this.#reserved++;
    this.#list(seat);
    this.#schedule();
  }

  /** @internal A seat stopped keeping a slot (it left, or its BMC works on several at once). */
  release(seat: FleetSeat): void {
    if (seat.idle) this.#reserved--;
    this.#schedule();
  }

  // Puts a seat with a request waiting in the line its requests on the wire say: alone (none) or
  // beside. A seat whose last request on the wire ends moves up to alone.
  #list(seat: FleetSeat): void {
    if (seat.waiting.size === 0) {
      seat.listing = undefined;
      return;
    }
    const line = seat.onWire === 0 ? this.#alone : this.#beside;
    if (seat.listing?.line === line) return;
    seat.listing = { seat, line };
    line.push(seat.listing);
  }

  #schedule(): void {
    while (this.#active < this.concurrency) {
      const urgent = this.#urgent.shift();
      if (urgent) {
        this.#start(urgent.seat, urgent.start);
        continue;
      }
      const alone = this.#next(this.#alone);
      if (alone) {
        this.#start(alone, alone.waiting.shift()!);
        continue;
      }
      // A second request only from slack: a slot stays free for each seat that keeps one.
      if (this.concurrency - this.#active <= this.#reserved) return;
      const beside = this.#next(this.#beside);
      if (!beside) return;
      this.#start(beside, beside.waiting.shift()!);
    }
  }

  #start(seat: FleetSeat, start: () => void): void {
    this.#active++;
    seat.pending--;
    seat.onWire++;
    this.#list(seat);
    start();
  }

  // The first seat in `line` whose listing there is still its current one (a seat that moved up
  // to the other line, or was served, left a stale entry behind).
  #next(line: Fifo<Listing>): FleetSeat | undefined {
    for (let listing = line.shift(); listing; listing = line.shift()) {
      if (listing.seat.listing !== listing) continue;
      listing.seat.listing = undefined;
      return listing.seat;
    }
    return undefined;
  }
}

/** One BMC's place in the fleet's budget. */
export class FleetSeat implements FleetBudgetSeat {
  readonly #limit: FleetLimit;
  /** @internal Its requests waiting (not the urgent ones), in the order asked. */
  readonly waiting = new Fifo<() => void>();
  /** @internal Its requests waiting, urgent or not. */
  pending = 0;
  /** @internal */ onWire = 0;
  /** @internal Where it waits in line, when a request of its waits. */
  listing: Listing | undefined;
  #open = true;
  #parallel = false;

  constructor(limit: FleetLimit) {
    this.#limit = limit;
  }

  /** @internal Nothing on the wire and nothing waiting. */
  get idle(): boolean {
    return this.onWire === 0 && this.pending === 0;
  }

  /** @internal Whether a slot is kept for this seat while it is idle. */
  get keepsSlot(): boolean {
    return this.#open && !this.#parallel;
  }

  /**
   * Runs `task` when the budget allows: `urgent` (a logout) before anything else, otherwise as
   * the seat's place in line says. Resolves or rejects as the task does.
   */
  run<T>(task: () => Promise<T>, urgent = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        let running: Promise<T>;
        try {
          running = task();
        } catch (error) {
          running = Promise.reject(error);
        }
        running.then(
          (value) => {
            this.#limit.ended(this);
            resolve(value);
          },
          (error: unknown) => {
            this.#limit.ended(this);
            reject(error);
          },
        );
      };
      this.#limit.queue(this, start, urgent);
    });
  }

  /** The BMC works on several requests at once: its second requests cost no one else a slot. */
  markParallel(): void {
    if (!this.keepsSlot) return;
    this.#parallel = true;
    this.#limit.release(this);
  }

  /** The client is done: no slot is kept for it any more. */
  leave(): void {
    if (!this.keepsSlot) return;
    this.#open = false;
    this.#limit.release(this);
  }
}
