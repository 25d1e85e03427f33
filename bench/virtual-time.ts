/**
 * Discrete-event time for many concurrent actors (wait-loop executions, modelled peers) on the one virtual
 * clock the emulator reads. An actor is busy while it runs (HTTP to the emulator, handler code, the state
 * machine interpreter) and idle while it sleeps; the clock moves only when no actor is busy, straight to
 * the earliest wake-up. So a 45-minute provisioning takes milliseconds, and concurrent actors see exactly
 * the interleaving they would see in real time.
 */
import type { VirtualClock } from '../local/atlas-emulator';

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

export class VirtualTime {
  private busy = 0;
  private seq = 0;
  private readonly sleepers: Sleeper[] = [];
  private pending = false;

  constructor(readonly clock: VirtualClock) {}

  /** Epoch ms on the shared clock. */
  now(): number {
    return this.clock.now();
  }

  /** Runs `body` as one actor: the clock cannot move past it while it is busy. */
  async actor<T>(body: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await body();
    } finally {
      this.idle();
    }
  }

  /** Marks the start of work outside `actor` (for an actor whose end is signalled separately with `done`). */
  begin(): void {
    this.busy++;
  }

  done(): void {
    this.idle();
  }

  /** Sleeps `seconds` of virtual time (an actor must call this from inside its busy span). */
  async sleep(seconds: number): Promise<void> {
    if (!(seconds > 0)) return;
    await new Promise<void>((wake) => {
      this.sleepers.push({ at: this.now() + seconds * 1000, seq: this.seq++, wake });
      this.idle();
    });
  }

  private idle(): void {
    this.busy--;
    if (this.busy < 0) throw new Error('virtual time: more actors ended than began');
    this.schedule();
  }

  // Deferred by one macrotask so that an actor finishing and another starting in the same turn count as busy.
  private schedule(): void {
    if (this.pending || this.busy > 0 || this.sleepers.length === 0) return;
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      if (this.busy > 0 || this.sleepers.length === 0) return;
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const at = this.sleepers[0].at;
      const due = this.sleepers.filter((s) => s.at === at);
      this.sleepers.splice(0, due.length);
      if (at > this.now()) this.clock.advance((at - this.now()) / 1000);
      this.busy += due.length;
      for (const s of due) s.wake();
    });
  }
}
