/**
 * The emulator's notion of time. Every lifecycle step, nonce lifetime and token lifetime is measured on
 * this clock, never on `Date.now()` directly, so that tests can move time forward instead of waiting.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Time that moves only when told to. */
export class VirtualClock implements Clock {
  private ms: number;

  constructor(startMs: number = Date.now()) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`cannot advance by ${seconds} seconds`);
    this.ms += seconds * 1000;
  }

  /**
   * Moving backwards is allowed but does not undo anything: lifecycle steps already applied stay applied
   * (the state applies them in order and never revisits them).
   */
  set(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`cannot set the clock to ${ms}`);
    this.ms = ms;
  }
}

/** Wall-clock time, optionally running `timeScale` times faster from the moment it was made (for `--time-scale`). */
export class SystemClock implements Clock {
  private readonly origin = Date.now();

  constructor(private readonly timeScale = 1) {
    if (!Number.isFinite(timeScale) || timeScale <= 0) throw new RangeError(`time scale must be positive, got ${timeScale}`);
  }

  now(): number {
    const real = Date.now();
    return this.timeScale === 1 ? real : Math.floor(this.origin + (real - this.origin) * this.timeScale);
  }
}

export function isVirtualClock(clock: Clock): clock is VirtualClock {
  return clock instanceof VirtualClock;
}
