/** Identifiers shaped like the ones Atlas and the clouds hand out. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomLowerAlnum(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return out;
}

export { randomUUID };

/**
 * ObjectId-like: 8 hex of seconds (on the emulator clock, as Atlas's ids carry its creation time), then
 * a per-process random part and a counter so that ids made in the same second differ.
 */
export class ObjectIdFactory {
  private readonly processPart = randomHex(10);
  private counter = randomInt(0x1000000);

  next(nowMs: number): string {
    this.counter = (this.counter + 1) % 0x1000000;
    const seconds = Math.max(0, Math.floor(nowMs / 1000)) % 0x100000000;
    return seconds.toString(16).padStart(8, '0') + this.processPart + this.counter.toString(16).padStart(6, '0');
  }
}
