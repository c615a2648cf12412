// One crawl's reads: each path read once (or again when asked), collections with `$expand` and
// its fallbacks, paging with a cap and loop detection, and, between full reads, the parts behind
// an unchanged listing taken from the last sweep's reads. crawl.ts decides what to read.
import type { RedfishClient } from './client.ts';
import { RedfishError } from './errors.ts';
import type { Priority } from './limit.ts';
import { at, idOf, isResource, linkAt, linkKey, linksAt, normalisePath, type Resource } from './navigate.ts';
import { failed, type Outcome } from './outcome.ts';

/**
 * What an unchanged listing lets the crawl reuse: nothing; its members (leaf components such as
 * DIMMs, drives, interfaces); or, for the fixed parts of a component (an adapter's ports, a PCIe
 * device's functions), the whole listing when the component itself is unchanged.
 */
export type Reuse = 'none' | 'members' | 'whole';

const MEMBERS = ['Members'];
const NOTHING: Promise<undefined> = Promise.resolve(undefined);
const ODATA_ID = ['@odata.id'];

/** The state of one crawl: outcomes so far, and reads in progress (so no path is read twice). */
export class Crawl {
  readonly outcomes = new Map<string, Outcome>();
  readonly warnings: string[] = [];
  reused = 0;
  readonly #client: RedfishClient;
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #reuse: boolean;
  // For reuse: each path's body as the last sweep read it and as read now; the members that came
  // inline in a collection; and the verdicts reached (a path read again and found unchanged, or
  // part of such a listing, is "vouched for").
  readonly #reads = new Map<string, { readonly before: unknown; readonly after: unknown }>();
  readonly #inlineIn = new Map<string, string>();
  readonly #vouched = new Map<string, boolean>();

  constructor(client: RedfishClient, reuse: boolean) {
    this.#client = client;
    this.#reuse = reuse;
  }

  get root(): unknown {
    return this.body('/redfish/v1');
  }

  store(path: string, outcome: Outcome): void {
    this.outcomes.set(path, outcome);
  }

  /** The body read at a path, if the read succeeded. */
  body(path: string): unknown {
    const outcome = this.outcomes.get(path);
    return outcome?.ok ? outcome.body : undefined;
  }

  /** The store key of a link, or undefined for another origin. */
  pathOf(link: string): string | undefined {
    return linkKey(this.#client.origin, link);
  }

  /** Links at a pointer, with refused ones recorded and dropped. */
  links(body: unknown, pointer: readonly string[], from: string): string[] {
    return this.#accepted(body, pointer, from, (link) => link);
  }

  // The links at a pointer that stay on the BMC's origin, as `pick` makes them (the link or its
  // store key); the others are recorded as refused.
  #accepted<T>(body: unknown, pointer: readonly string[], from: string, pick: (link: string, path: string) => T): T[] {
    const accepted: T[] = [];
    for (const link of linksAt(body, pointer)) {
      const path = this.pathOf(link);
      if (path !== undefined) accepted.push(pick(link, path));
      else this.#client.refusedLinks.push({ link, from, reason: 'another origin' });
    }
    return accepted;
  }

  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Reads a resource once (unless `again`), recording the outcome; resolves to the body or undefined. */
  // Not async, like the reads below it: each async layer is a frame and two ticks per request.
  resource(link: string, from: string, again = false, priority: Priority = 'unlocks'): Promise<unknown> {
    // A BMC past its memory budget is not read further, and nothing more of it is kept.
    if (this.#client.exhausted) return NOTHING;
    const path = this.pathOf(link);
    if (path === undefined) return this.#record(link, this.#client.get(link, from)).then(() => undefined);
    if (!again && this.outcomes.has(path)) return Promise.resolve(this.body(path));
    const pending = this.#inflight.get(path);
    if (pending && !again) return pending;
    const read = this.#record(path, this.#fetch(link, path, from, undefined, priority));
    this.#inflight.set(path, read);
    return read;
  }

  /** A leaf component listed by `from`: reused when `from` is vouched for, else read. */
  async member(link: string, from: string): Promise<unknown> {
    const path = this.pathOf(link);
    if (path !== undefined && !this.outcomes.has(path) && !this.#inflight.has(path) && this.isVouched(from)) {
      const kept = this.#client.remembered(link);
      if (kept !== undefined) {
        this.store(path, { ok: true, body: kept });
        this.reused++;
        return kept;
      }
    }
    return this.resource(link, from, false, 'leaf');
  }

  /** True when `path` was read again and is unchanged, or came inline in a listing that is. */
  isVouched(path: string): boolean {
    if (!this.#reuse) return false;
    let verdict = this.#vouched.get(path);
    if (verdict === undefined) {
      const read = this.#reads.get(path);
      const listing = this.#inlineIn.get(path);
      verdict = read ? read.before === read.after || JSON.stringify(read.before) === JSON.stringify(read.after) : listing !== undefined && this.isVouched(listing);
      this.#vouched.set(path, verdict);
    }
    return verdict;
  }

  // Reads through the client, keeping what the last sweep read for the verdicts above.
  #fetch(link: string, path: string, from: string, query?: string, priority: Priority = 'unlocks'): Promise<unknown> {
    const before = this.#reuse ? this.#client.remembered(link, query) : undefined;
    if (before === undefined) return this.#client.get(link, from, query, priority);
    return this.#client.get(link, from, query, priority).then((body) => {
      this.#reads.set(path, { before, after: body });
      this.#vouched.delete(path);
      return body;
    });
  }

  /** Like `resource`, for links that may be absent. */
  async optional(link: string | undefined, from: string): Promise<unknown> {
    return link === undefined ? undefined : this.resource(link, from);
  }

  /**
   * Reads a collection and its members; resolves to the member paths. With `$expand` the members
   * arrive inline; an expanded answer that is broken is read again plainly, one that lacks members'
   * properties is used as the listing and its members read one by one; either way expansion is
   * dropped for the rest of this BMC's crawl.
   */
  async collection(link: string | undefined, from: string, expandable = false, reuse: Reuse = 'none'): Promise<string[]> {
    if (link === undefined || this.#client.exhausted) return [];
    const path = this.pathOf(link);
    if (path === undefined) {
      await this.resource(link, from);
      return [];
    }
    if (this.outcomes.has(path) || this.#inflight.has(path)) {
      await this.#inflight.get(path);
      return this.#memberPaths(path);
    }
    const read = reuse === 'whole' && this.#reuseWhole(link, path, from, expandable) ? Promise.resolve() : this.#readCollection(link, path, from, expandable, reuse);
    this.#inflight.set(path, read);
    await read;
    return this.#memberPaths(path);
  }

  // The fixed parts of a vouched-for component, taken whole from the last sweep's read of the
  // listing (expanded or not). False when there is nothing to reuse.
  #reuseWhole(link: string, path: string, from: string, expandable: boolean): boolean {
    if (!this.isVouched(from)) return false;
    const expand = expandable ? this.#client.expandQuery : undefined;
    const kept = (expand ? this.#client.remembered(link, expand) : undefined) ?? this.#client.remembered(link);
    const members = at(kept, ['Members']);
    if (!isResource(kept) || !Array.isArray(members) || kept['Members@odata.nextLink'] !== undefined) return false;
    const links = members.map((member) => linkAt(member, ['@odata.id'])).map((member) => member && this.pathOf(member));
    // Every member must be inline or remembered, or the listing is read again.
    const bodies = members.map((member, index) => (isResource(member) && isComplete(member) && Object.keys(member).length > 1 ? member : links[index] && this.#client.remembered(links[index])));
    if (bodies.some((body, index) => body === undefined || links[index] === undefined)) return false;
    bodies.forEach((body, index) => {
      const member = links[index]!;
      if (!this.outcomes.has(member)) this.store(member, { ok: true, body });
      this.#inlineIn.set(member, path);
    });
    this.store(path, { ok: true, body: { ...kept, Members: links.map((member) => ({ '@odata.id': member })) } });
    this.#vouched.set(path, true);
    this.reused += 1 + members.length;
    return true;
  }

  async #readCollection(link: string, path: string, from: string, expandable: boolean, reuse: Reuse): Promise<void> {
    const expand = expandable ? this.#client.expandQuery : undefined;
    const read = (member: string) => (reuse === 'none' ? this.resource(member, path) : this.member(member, path));
    // AMI's expansion keeps only the members' identities: such an answer is still the listing.
    let listing: unknown;
    if (expand) {
      // Expanded, a listing of leaves (DIMMs, ports) is the last read of its branch.
      const priority: Priority = reuse === 'none' ? 'unlocks' : 'leaf';
      try {
        const first = await this.#fetch(link, path, from, expand, priority);
        const members = isResource(first) && Array.isArray(first.Members) ? (first.Members as unknown[]) : [];
        if (members.every(isComplete)) {
          const collected = await this.#pages(first, path, expand, priority);
          for (const member of collected.inline) {
            const id = idOf(member);
            if (id !== undefined && this.pathOf(id) !== undefined && !this.outcomes.has(id)) {
              this.store(id, { ok: true, body: member });
              this.#inlineIn.set(id, path);
            }
          }
          this.store(path, { ok: true, body: collected.body });
          await Promise.all(collected.links.filter((member) => !this.outcomes.has(member)).map(read));
          return;
        }
        this.#client.disableExpand(`${path}: expanded members lack their properties`);
        listing = first;
      } catch (error) {
        if (!(error instanceof RedfishError) || error.kind !== 'bad-response') {
          this.store(path, failed(error));
          return;
        }
        this.#client.disableExpand(`${path}: expanded answer unusable (${error.message})`);
      }
    }
    await this.#record(
      path,
      (async () => {
        const body = listing ?? (await this.#fetch(link, path, from));
        return (await this.#pages(body, path, undefined)).body;
      })(),
    );
    await Promise.all(this.#memberPaths(path).map(read));
  }

  // Follows Members@odata.nextLink with a page cap and loop detection; returns the collection with
  // every member as a link, and the inline member bodies when the pages were expanded.
  async #pages(first: unknown, path: string, expand: string | undefined, priority: Priority = 'unlocks'): Promise<{ body: Resource; inline: Resource[]; links: string[] }> {
    if (!isResource(first)) throw new RedfishError('bad-response', `${path}: collection is not a JSON object`, { path });
    const rawMembers = first.Members;
    if (rawMembers !== null && rawMembers !== undefined && !Array.isArray(rawMembers)) {
      throw new RedfishError('bad-response', `${path}: Members is not an array`, { path });
    }
    // One pass over each page's members: their links (first occurrence wins) and the inline bodies.
    const links: string[] = [];
    const linked = new Set<string>();
    const inline: Resource[] = [];
    let count = 0;
    const take = (members: readonly unknown[]) => {
      count += members.length;
      this.#checkSize(count, path);
      for (const member of members) {
        const link = linkAt(member, ODATA_ID);
        if (link !== undefined && !linked.has(link)) {
          linked.add(link);
          links.push(link);
        }
        if (carriesProperties(member)) inline.push(member as Resource);
      }
    };
    take((rawMembers as unknown[] | null | undefined) ?? []);
    const seen = new Set<string>([path]);
    let next = linkAt(first, ['Members@odata.nextLink']);
    for (let pages = 1; next !== undefined; pages++) {
      const key = next;
      if (seen.has(key)) {
        this.warnings.push(`${path}: Members@odata.nextLink loops back to ${key}; stopped paging`);
        break;
      }
      if (pages >= this.#client.options.maxPages) {
        throw new RedfishError('bad-response', `${path}: more than ${this.#client.options.maxPages} pages of members`, { path });
      }
      seen.add(key);
      const page = await this.#client.get(key, path, expand, priority);
      const members = at(page, MEMBERS);
      if (Array.isArray(members)) take(members as unknown[]);
      next = linkAt(page, ['Members@odata.nextLink']);
    }
    const { ['Members@odata.nextLink']: _next, ...rest } = first;
    return { body: { ...rest, Members: links.map((link) => ({ '@odata.id': link })) }, inline, links };
  }

  #checkSize(count: number, path: string): void {
    const max = this.#client.options.maxMembers;
    if (count > max) throw new RedfishError('bad-response', `${path}: more than ${max} members`, { path });
  }

  #memberPaths(path: string): string[] {
    return this.#accepted(this.body(path), MEMBERS, path, (_link, member) => member);
  }

  async #record(path: string, reading: Promise<unknown>): Promise<unknown> {
    const key = normalisePath(path);
    try {
      const body = await reading;
      this.store(key, { ok: true, body });
      return body;
    } catch (error) {
      if (!this.#client.exhausted) this.store(key, failed(error));
      return undefined;
    } finally {
      this.#inflight.delete(key);
    }
  }
}

// An expanded member is its resource when it carries more than its identity: AMI's expansion keeps
// only `@odata.id`, `@odata.type` and `Name`.
function carriesProperties(member: unknown): boolean {
  if (!isResource(member)) return false;
  for (const key in member) {
    if (Object.hasOwn(member, key) && key.charCodeAt(0) !== 0x40 && key !== 'Name' && key !== 'Id' && key !== 'Description') return true;
  }
  return false;
}

// An expanded answer is usable when each member is its resource or a plain link (read on its own:
// a BMC that advertises $expand and ignores it answers with links only). Never a link as a body.
function isComplete(member: unknown): boolean {
  return carriesProperties(member) || (isResource(member) && Object.keys(member).length === 1 && Object.hasOwn(member, '@odata.id'));
}
