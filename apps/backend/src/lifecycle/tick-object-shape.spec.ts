import { describe, expect, it } from 'vitest';
import { pinTickObjectShape } from './tick-object-shape';

describe('pinTickObjectShape', () => {
  it('keeps one of nextTick’s queue entries, the same one on every call', () => {
    const pinned = pinTickObjectShape() as Record<string | symbol, unknown> | undefined;
    expect(pinned).toBeDefined();
    const symbols = Object.getOwnPropertySymbols(pinned ?? {}).map((s) => s.description);
    expect(symbols).toEqual(expect.arrayContaining(['async_id_symbol', 'trigger_async_id_symbol']));
    expect(typeof pinned?.callback).toBe('function');
    expect(pinTickObjectShape()).toBe(pinned);
  });
});
