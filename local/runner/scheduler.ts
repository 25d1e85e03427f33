/**
 * Virtual time for many things happening at once: executions waiting in their Wait states, Lambda's
 * asynchronous retries, CloudFormation giving up on a request. Every actor that is doing something is
 * "active"; an actor that waits gives up its activity until its wake-up time. Time moves only when the
 * runner says so, and only when nothing is active: then the clock jumps to the earliest wake-up, so a
 * thousand seconds of polling cost no real time and concurrent executions see one consistent clock.
 */
import type { VirtualClock } from '../atlas-emulator';

interface Sleeper {
  wakeAt: number;
  seq: number;
  wake: () => void;
}

export class VirtualScheduler {
  private active = 0;
  private sleepers: Sleeper[] = [];
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  /** `clock` moves with the scheduler; without one (a real Atlas), waits are slept in real time. */
  constructor(
    private readonly clock: VirtualClock | undefined,
    /**
     * Real milliseconds slept per simulated second: on a virtual clock 0 unless a run is to be watched; on real
     * time (no clock) 1000 unless the waits are to pass faster.
     */
    private readonly realMsPerSecond = clock ? 0 : 1000,
  ) {}

  now(): number {
    return this.clock ? this.clock.now() : Date.now();
  }

  get isVirtual(): boolean {
    return this.clock !== undefined;
  }

  /** Runs `work` as an active actor: time does not move while it runs (except in its own `sleep`s). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /** Marks the caller active until the returned function is called. */
  hold(): () => void {
    this.active++;
    let released = false;
    return () => {
      if (!released) this.release();
      released = true;
    };
  }

  /** Waits `seconds` of simulated time; the caller must be inside `run` or hold activity. */
  async sleep(seconds: number): Promise<void> {
    if (!(seconds > 0)) return;
    if (this.clock && this.realMsPerSecond > 0) await new Promise((r) => setTimeout(r, seconds * this.realMsPerSecond));
    this.release();
    await new Promise<void>((wake) => {
      const sleeper: Sleeper = { wakeAt: this.now() + seconds * 1000, seq: this.seq++, wake };
      this.sleepers.push(sleeper);
      if (!this.clock) {
        // Real time: the timer wakes it, after the scaled wait (a demo or test of an outside Atlas at a faster pace).
        setTimeout(() => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          this.active++;
          wake();
        }, seconds * this.realMsPerSecond);
      }
    });
  }

  /** Calls `fn` (as an active actor) after `seconds` of simulated time. */
  after(seconds: number, fn: () => Promise<unknown> | unknown): void {
    const release = this.hold();
    void this.sleep(seconds)
      .then(() => fn())
      .catch(() => undefined)
      .finally(release);
  }

  /** Resolves once nothing is active (real I/O of active actors included). */
  async idle(): Promise<void> {
    if (this.active === 0) return;
    await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  private release(): void {
    this.active--;
    if (this.active > 0) return;
    // Checked after pending callbacks: an actor that ends may start another in the same turn.
    setImmediate(() => {
      if (this.active > 0) return;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    });
  }

  /**
   * Lets everything run, moving time forward from wake-up to wake-up, until `done()` holds, nothing is
   * left to wake, or `limitSeconds` of simulated time have passed (then the clock stands at the limit).
   * Returns whether `done()` held.
   */
  async runUntil(done: () => boolean, limitSeconds = Number.POSITIVE_INFINITY): Promise<boolean> {
    const limitAt = this.now() + limitSeconds * 1000;
    for (;;) {
      await this.idle();
      if (done()) return true;
      if (this.sleepers.length === 0) return false;
      if (!this.clock) {
        if (Date.now() >= limitAt) return done();
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
      const next = this.sleepers[0].wakeAt;
      if (next > limitAt) {
        if (limitAt > this.now()) this.clock.set(limitAt);
        return done();
      }
      if (next > this.now()) this.clock.set(next);
      // Wake everything due now, in the order it went to sleep.
      const due = this.sleepers.filter((s) => s.wakeAt <= this.now());
      this.sleepers = this.sleepers.filter((s) => s.wakeAt > this.now());
      for (const s of due) {
        this.active++;
        s.wake();
      }
    }
  }

  /** Runs until nothing is active and nothing sleeps (every execution and retry has ended). */
  async drain(limitSeconds = 6 * 3600): Promise<boolean> {
    return this.runUntil(() => false, limitSeconds).then(() => this.sleepers.length === 0 && this.active === 0);
  }

  get pending(): number {
    return this.sleepers.length;
  }
}
