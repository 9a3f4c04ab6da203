/**
 * One subscriber's subscription to a topic, as its receiver (a window's or socket's PushBatcher)
 * holds it: the receiver asks for the delta at each flush, so a topic's work is done at most once
 * per push interval per subscriber, and only for a subscriber that is listening.
 */
export interface Subscription {
  /** What changed since the previous take (undefined: nothing); a wire-ready delta of its topic. */
  take(): unknown;
  /** Leaves the topic: no more work for this subscriber. */
  close(): void;
}

/** A topic's subscribers, so a topic with none does nothing. */
export class Subscribers<S extends Subscription> implements Iterable<S> {
  private readonly members = new Set<S>();

  get size(): number {
    return this.members.size;
  }

  add(member: S): S {
    this.members.add(member);
    return member;
  }

  delete(member: S): void {
    this.members.delete(member);
  }

  [Symbol.iterator](): Iterator<S> {
    return this.members[Symbol.iterator]();
  }
}
