/** The emulator's notion of now: virtual for tests (minutes pass in a call), real (optionally faster) standalone. */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export class VirtualClock implements Clock {
  private current: number;

  constructor(startMs: number = Date.now()) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(seconds: number): void {
    if (!(seconds >= 0)) throw new RangeError(`cannot advance the clock by ${seconds} seconds`);
    this.current += seconds * 1000;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

export class SystemClock implements Clock {
  private readonly start = Date.now();

  /** `timeScale` 60 makes a minute of emulated time pass every real second. */
  constructor(private readonly timeScale = 1) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be > 0');
  }

  now(): number {
    return this.start + (Date.now() - this.start) * this.timeScale;
  }
}

export function isVirtual(clock: Clock): clock is VirtualClock {
  return clock instanceof VirtualClock;
}
