/**
 * JSON written straight into a growing byte buffer: constant fragments copied in as bytes, strings
 * and integers encoded in place. A request line built as a string first (template pieces joined,
 * numbers turned into strings, the result flattened, then encoded into UTF-8) cost one and a half
 * to two times the CPU of the same line written here (1.0–1.4 against 0.6–0.8 µs in isolation).
 */
export class JsonBytes {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  get length(): number {
    return this.at;
  }

  /** The size of the buffer being written into. */
  get capacity(): number {
    return this.buffer.length;
  }

  /** Bytes already encoded: keys, punctuation, a cached line head. */
  bytes(fragment: Uint8Array): void {
    this.reserve(fragment.length);
    this.buffer.set(fragment, this.at);
    this.at += fragment.length;
  }

  /** Text that is already JSON (a fragment built elsewhere), written as it is. */
  raw(text: string): void {
    if (!this.ascii(text, false)) this.utf8(text);
  }

  /** A JSON string literal, quotes included, escaped exactly as JSON.stringify escapes it. */
  string(text: string): void {
    const start = this.at;
    this.reserve(text.length + 2);
    this.buffer[this.at++] = QUOTE;
    if (this.ascii(text, true)) {
      this.buffer[this.at++] = QUOTE;
      return;
    }
    // Something to escape, or beyond ASCII: rare in a request line (a user agent, a client's path).
    this.at = start;
    this.utf8(JSON.stringify(text));
  }

  /** A finite integer (a status code, a duration in nanoseconds). */
  integer(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) return this.raw(JSON.stringify(value));
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.reserve(digits);
    let at = this.at + digits;
    let rest = value;
    do {
      this.buffer[--at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    this.at += digits;
  }

  /** A copy of what was written (the caller may keep it while this buffer is reused), then empty. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.at));
    this.at = 0;
    return out;
  }

  /**
   * Hands over the buffer written so far — its first `length` bytes are the output — and goes on,
   * empty, in `next`. The buffers this class makes are never slices of Buffer's shared pool
   * (allocUnsafeSlow): given a `next` that isn't either, the caller may reuse the whole of what it
   * gets back once done with the output.
   */
  replaceBuffer(next: Buffer): Buffer {
    const filled = this.buffer;
    this.buffer = next;
    this.at = 0;
    return filled;
  }

  /**
   * Writes printable ASCII byte by byte and says true; stops at the first other character — or,
   * inside a string literal (`quoted`), at a quote or backslash — leaving the length as it was, and
   * says false.
   */
  private ascii(text: string, quoted: boolean): boolean {
    this.reserve(text.length);
    const buffer = this.buffer;
    const start = this.at;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20 || code > 0x7e || (quoted && (code === QUOTE || code === BACKSLASH))) return false;
      buffer[start + i] = code;
    }
    this.at = start + text.length;
    return true;
  }

  private utf8(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    this.reserve(text.length * 3);
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(larger, 0, 0, this.at);
    this.buffer = larger;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
