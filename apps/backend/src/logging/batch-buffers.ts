/** How far a destination has got: the bytes handed to it so far, and those it has written out. */
export interface WriteProgress {
  accepted: number;
  written: number;
}

/** How many handed-out buffers are tracked at most: a destination that stopped writing (a closed pipe) must not make them pile up. */
const MAX_HANDED_OUT = 4;

/**
 * The buffers batches of request lines are written into, each reused once its destination has
 * written it out, instead of a copy of every batch for the destination to keep. At ~10,000 lines a
 * second that copy was a new ~0.5 MB buffer twenty times a second: fresh memory to fault in, the
 * copy itself, and memory outside V8's heap for its garbage collector to find — a third of a
 * line's cost in isolation.
 *
 * A buffer handed to the destination is in use until the destination's written bytes reach the
 * count it had accepted once that buffer was in (WriteProgress). Destinations without such a count
 * (LOG_DIR's multistream, the development console) get copies as before: RequestLineWriter.
 */
export class BatchBuffers {
  private readonly handedOut: { buffer: Buffer; end: number }[] = [];

  constructor(private readonly progress: WriteProgress) {}

  /** A buffer for the next batch: the oldest one written out, else a new one of `bytes`. */
  next(bytes: number): Buffer {
    const oldest = this.handedOut[0];
    if (oldest !== undefined && this.progress.written >= oldest.end) return this.handedOut.shift()!.buffer;
    // Never a slice of Buffer's shared pool: the whole buffer is reused.
    return Buffer.allocUnsafeSlow(bytes);
  }

  /** Tells that `buffer` was just handed to the destination, and is in use until it is written out. */
  handedOff(buffer: Buffer): void {
    this.handedOut.push({ buffer, end: this.progress.accepted });
    // The oldest is forgotten (left to the garbage collector), never reused unwritten.
    if (this.handedOut.length > MAX_HANDED_OUT) this.handedOut.shift();
  }
}
