// The fleet's budget, with tasks held open by hand: which BMC's request gets a slot that frees.
import { describe, expect, it } from 'vitest';
import { FleetLimit, type FleetSeat } from '../../src/redfish/fleet.ts';

// A request of one BMC: it starts when the budget lets it and stays on the wire until answered.
function request(seat: FleetSeat, name: string, started: string[], urgent = false) {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const done = seat.run(async () => {
    started.push(name);
    await answered;
  }, urgent);
  return { answer: async () => (answer(), await done, await settle()) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the fleet’s budget', () => {
  it('never has more requests on the wire than its limit, and frees a slot when a request fails', async () => {
    const fleet = new FleetLimit(2);
    const started: string[] = [];
    const seats = [fleet.join(), fleet.join(), fleet.join()];
    const requests = seats.map((seat, index) => request(seat, `bmc ${index}`, started));
    await settle();
    expect(started).toEqual(['bmc 0', 'bmc 1']);
    expect(fleet.active).toBe(2);
    const failing = seats[0]!.run(() => Promise.reject(new Error('connection reset'))).catch((error: unknown) => (error as Error).message);
    await requests[0]!.answer();
    expect(started).toEqual(['bmc 0', 'bmc 1', 'bmc 2']);
    await requests[1]!.answer();
    expect(await failing).toBe('connection reset');
    const after = request(seats[1]!, 'bmc 1 again', started);
    await settle();
    expect(started).toEqual(['bmc 0', 'bmc 1', 'bmc 2', 'bmc 1 again']);
    expect(fleet.active).toBe(2);
    await requests[2]!.answer();
    await after.answer();
    expect(fleet.active).toBe(0);
  });

  it('gives a freed slot to a logout first, then to a BMC with nothing on the wire, then to a second request', async () => {
    const fleet = new FleetLimit(1);
    const started: string[] = [];
    const [a, b, c] = [fleet.join(), fleet.join(), fleet.join()];
    const first = request(a!, 'a first', started);
    request(a!, 'a second', started);
    request(b!, 'b first', started);
    request(c!, 'c logout', started, true);
    await first.answer();
    expect(started).toEqual(['a first', 'c logout']);
  });

  it('keeps a slot for a BMC between two reads instead of sending another BMC’s second request', async () => {
    const fleet = new FleetLimit(2);
    const started: string[] = [];
    const [a, b] = [fleet.join(), fleet.join()];
    // b read something and is parsing it: nothing on the wire, its next read about to come.
    await request(b!, 'b read', started).answer();
    request(a!, 'a first', started);
    request(a!, 'a second', started);
    await settle();
    expect(started).toEqual(['b read', 'a first']);
    expect(fleet.reserved).toBe(1);
    // b's next read takes the slot kept for it at once.
    request(b!, 'b next', started);
    await settle();
    expect(started).toEqual(['b read', 'a first', 'b next']);
  });

  it('sends a second request from a slot nobody keeps: a BMC done, or one found to work on several at once', async () => {
    const fleet = new FleetLimit(3);
    const started: string[] = [];
    const [a, b, c] = [fleet.join(), fleet.join(), fleet.join()];
    request(a!, 'a first', started);
    request(a!, 'a second', started);
    request(a!, 'a third', started);
    await settle();
    expect(started).toEqual(['a first']);
    b!.leave();
    await settle();
    expect(started).toEqual(['a first', 'a second']);
    c!.markParallel();
    await settle();
    expect(started).toEqual(['a first', 'a second', 'a third']);
    expect(fleet.reserved).toBe(0);
  });

  it('moves a waiting request up when its BMC’s other request is answered', async () => {
    const fleet = new FleetLimit(2);
    const started: string[] = [];
    const [a, b] = [fleet.join(), fleet.join()];
    const aFirst = request(a!, 'a first', started);
    const bFirst = request(b!, 'b first', started);
    await settle();
    // Both wait beside a request on the wire; b asked first.
    request(b!, 'b second', started);
    request(a!, 'a second', started);
    // a's first is answered: a has nothing on the wire, so its waiting read goes before b's second.
    await aFirst.answer();
    expect(started).toEqual(['a first', 'b first', 'a second']);
    await bFirst.answer();
    expect(started).toEqual(['a first', 'b first', 'a second', 'b second']);
  });
});
