import { describe, expect, it } from 'vitest';
import { Batch } from './batch';

describe('Batch', () => {
  it('hands over what was pushed, in order, once, after the delay', async () => {
    const handed: number[][] = [];
    const batch = new Batch<number>(20, (items) => handed.push(items));
    for (let i = 0; i < 5; i++) batch.push(i);
    expect(handed).toEqual([]);
    expect(batch.size).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(handed).toEqual([[0, 1, 2, 3, 4]]);
    expect(batch.size).toBe(0);
  });

  it('flush hands over at once, and nothing when empty', async () => {
    const handed: string[][] = [];
    const batch = new Batch<string>(20, (items) => handed.push(items));
    batch.flush();
    batch.push('a');
    batch.flush();
    batch.push('b');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(handed).toEqual([['a'], ['b']]);
  });
});
