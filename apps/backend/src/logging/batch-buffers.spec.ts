import { describe, expect, it } from 'vitest';
import { BatchBuffers, WriteProgress } from './batch-buffers';

describe('BatchBuffers', () => {
  it('reuses a handed-out buffer only once the destination has written past its end', () => {
    const progress: WriteProgress = { accepted: 0, written: 0 };
    const batches = new BatchBuffers(progress);
    const first = batches.next(64);
    expect(first.length).toBe(64);
    progress.accepted += 40;
    batches.handedOff(first);
    // Not yet written, or only partly: a new buffer.
    expect(batches.next(64)).not.toBe(first);
    progress.written = 39;
    expect(batches.next(64)).not.toBe(first);
    progress.written = 40;
    expect(batches.next(64)).toBe(first);
    // Reused once only.
    expect(batches.next(64)).not.toBe(first);
  });

  it('gives its buffers back oldest first, and forgets the oldest beyond four unwritten', () => {
    const progress: WriteProgress = { accepted: 0, written: 0 };
    const batches = new BatchBuffers(progress);
    const handed = Array.from({ length: 5 }, () => {
      const buffer = batches.next(16);
      progress.accepted += 10;
      batches.handedOff(buffer);
      return buffer;
    });
    progress.written = progress.accepted;
    const reused = Array.from({ length: 5 }, () => batches.next(16));
    // The first was forgotten when the fifth came; the other four come back in order.
    expect(reused.slice(0, 4)).toEqual(handed.slice(1));
    reused.slice(0, 4).forEach((buffer, i) => expect(buffer).toBe(handed[i + 1]));
    expect(handed).not.toContain(reused[4]);
  });

  it('makes buffers of their own, never slices of the shared pool that others write into', () => {
    const buffer = new BatchBuffers({ accepted: 0, written: 0 }).next(100);
    expect(buffer.byteOffset).toBe(0);
    expect(buffer.buffer.byteLength).toBe(100);
  });
});
