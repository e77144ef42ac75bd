import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('SingleFlight', () => {
  it('shares one load between concurrent callers of the same key', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    let loads = 0;
    const load = () => (loads++, d.promise);
    const all = Promise.all(Array.from({ length: 100 }, () => flight.run('k', load)));
    d.resolve(7);
    expect(await all).toEqual(Array(100).fill(7));
    expect(loads).toBe(1);
  });

  it('loads again once the previous load settled, and keeps keys apart', async () => {
    const flight = new SingleFlight<string>();
    let loads = 0;
    const load = (v: string) => () => (loads++, Promise.resolve(v));
    expect(await flight.run('a', load('1'))).toBe('1');
    expect(await flight.run('a', load('2'))).toBe('2');
    expect(await Promise.all([flight.run('a', load('3')), flight.run('b', load('4'))])).toEqual(['3', '4']);
    expect(loads).toBe(4);
  });

  it('passes a failure to every waiting caller, then lets the next call retry', async () => {
    const flight = new SingleFlight<number>();
    const d = deferred<number>();
    const waiting = [flight.run('k', () => d.promise), flight.run('k', () => d.promise)];
    d.reject(new Error('database down'));
    for (const w of waiting) await expect(w).rejects.toThrow('database down');
    expect(await flight.run('k', () => Promise.resolve(1))).toBe(1);
  });

  it('does not let callers after forget() join a load that began before it', async () => {
    const flight = new SingleFlight<string>();
    const old = deferred<string>();
    const before = flight.run('k', () => old.promise);
    flight.forget();
    const after = flight.run('k', () => Promise.resolve('fresh'));
    old.resolve('stale');
    expect(await before).toBe('stale');
    expect(await after).toBe('fresh');
    // The stale load settling must not evict the fresh one's entry (nor leave its own behind).
    expect(await flight.run('k', () => Promise.resolve('next'))).toBe('next');
  });
});
