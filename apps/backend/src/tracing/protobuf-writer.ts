/**
 * Protocol Buffers' wire format written straight into one growing byte buffer, for the span
 * exporter (otlp-spans.encoder.ts). protobufjs, which the OpenTelemetry exporter uses, first builds a
 * tree of plain objects for the request and then a list of write operations for every field; both
 * are garbage by the end of each export. Here every field goes to its bytes at once, and the buffer
 * is kept from one export to the next.
 *
 * A nested message's length comes before its content, which is not known until the content is
 * written: begin() leaves room for a guessed number of length bytes, end() writes the length and,
 * when the guess was wrong, moves the content — the output is always the minimal encoding, byte for
 * byte what protobufjs writes.
 */
export class ProtobufWriter {
  private buffer: Buffer;
  private at = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buffer = Buffer.allocUnsafeSlow(initialBytes);
  }

  /** A field's key: its number and wire type. */
  key(field: number, wireType: WireType): void {
    this.uint32((field << 3) | wireType);
  }

  /** An unsigned 32-bit varint (uint32, a length, an enum that is never negative). */
  uint32(value: number): void {
    if (value >= 0 && value < 0x80) {
      this.reserve(1);
      this.buffer[this.at++] = value;
      return;
    }
    this.reserve(5);
    const buffer = this.buffer;
    let at = this.at;
    let rest = value >>> 0;
    while (rest > 0x7f) {
      buffer[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    buffer[at++] = rest;
    this.at = at;
  }

  /**
   * An int64 varint from a JavaScript integer. Negative values take ten bytes (two's complement);
   * beyond 2^64 the value wraps, as protobufjs's conversion does.
   */
  int64(value: number): void {
    const negative = value < 0;
    const magnitude = negative ? -value : value;
    let low = magnitude >>> 0;
    let high = ((magnitude - low) / 4294967296) >>> 0;
    if (negative) {
      high = ~high >>> 0;
      low = ~low >>> 0;
      if (++low > 0xffffffff) {
        low = 0;
        if (++high > 0xffffffff) high = 0;
      }
    }
    this.reserve(10);
    const buffer = this.buffer;
    let at = this.at;
    while (high !== 0) {
      buffer[at++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    while (low > 0x7f) {
      buffer[at++] = (low & 0x7f) | 0x80;
      low >>>= 7;
    }
    buffer[at++] = low;
    this.at = at;
  }

  bool(value: boolean): void {
    this.reserve(1);
    this.buffer[this.at++] = value ? 1 : 0;
  }

  fixed32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value >>> 0, this.at);
    this.at += 4;
  }

  /** A fixed64 given as its two 32-bit halves. */
  fixed64(low: number, high: number): void {
    this.reserve(8);
    this.buffer.writeUInt32LE(low, this.at);
    this.buffer.writeUInt32LE(high, this.at + 4);
    this.at += 8;
  }

  double(value: number): void {
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.at);
    this.at += 8;
  }

  /** A string field's length and UTF-8 bytes. A lone surrogate becomes U+FFFD (protobuf strings must be valid UTF-8). */
  string(text: string): void {
    // Names, routes, addresses: short and ASCII, written byte by byte with their one-byte length.
    if (text.length < 0x80) {
      this.reserve(1 + text.length);
      const buffer = this.buffer;
      const start = this.at + 1;
      let i = 0;
      for (; i < text.length; i++) {
        const code = text.charCodeAt(i);
        if (code > 0x7f) break;
        buffer[start + i] = code;
      }
      if (i === text.length) {
        buffer[this.at] = text.length;
        this.at = start + text.length;
        return;
      }
    }
    const bytes = Buffer.byteLength(text, 'utf8');
    this.uint32(bytes);
    this.reserve(bytes);
    this.at += this.buffer.write(text, this.at, 'utf8');
  }

  /** A bytes field's length and content. */
  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }

  /** A bytes field given in hexadecimal (trace and span ids), two digits to a byte. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.reserve(1 + length);
    const buffer = this.buffer;
    buffer[this.at] = length;
    let at = this.at + 1;
    for (let i = 0; i < length * 2; i += 2) buffer[at++] = (nibble(hex.charCodeAt(i)) << 4) | nibble(hex.charCodeAt(i + 1));
    this.at = at;
  }

  /**
   * Starts a nested message (after its key), leaving `lengthBytes` for its length; returns where its
   * content starts, for end(). Guessing the length's size right spares end() a move.
   */
  begin(lengthBytes = 1): number {
    this.reserve(lengthBytes);
    this.at += lengthBytes;
    return this.at;
  }

  /** Ends the nested message begun at `start` with `lengthBytes` left for its length. */
  end(start: number, lengthBytes = 1): void {
    const length = this.at - start;
    const needed = varintSize(length);
    if (needed !== lengthBytes) {
      this.reserve(needed - lengthBytes);
      this.buffer.copyWithin(start + needed - lengthBytes, start, this.at);
      this.at += needed - lengthBytes;
    }
    let at = start - lengthBytes;
    let rest = length;
    while (rest > 0x7f) {
      this.buffer[at++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buffer[at] = rest;
  }

  /** Forgets what was written (a message left half-written by an error). */
  clear(): void {
    this.at = 0;
  }

  /** A copy of what was written (the writer's buffer is reused), then empty. */
  take(): Buffer {
    const out = Buffer.from(this.buffer.subarray(0, this.at));
    this.at = 0;
    return out;
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const larger = Buffer.allocUnsafeSlow(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(larger, 0, 0, this.at);
    this.buffer = larger;
  }
}

/** The wire types this writer uses. */
export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

// 0-9, a-f, A-F; as the SDK's own conversion does, anything else is not expected in an id.
function nibble(code: number): number {
  return code <= 0x39 ? code - 0x30 : code >= 0x61 ? code - 0x57 : code - 0x37;
}
