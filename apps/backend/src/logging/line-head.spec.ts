import { describe, expect, it } from 'vitest';
import { LineHead } from './line-head';

describe('LineHead', () => {
  const head = new LineHead(Buffer.from('{"@timestamp":"'), Buffer.from('","x":1'));
  const expected = (ms: number) => `{"@timestamp":"${new Date(ms).toISOString()}","x":1`;

  it('writes what Date#toISOString writes, across milliseconds, seconds, days and years', () => {
    const starts = [Date.UTC(2026, 10, 25, 18, 11, 19, 998), Date.UTC(2026, 11, 31, 23, 59, 59, 990), Date.UTC(2028, 1, 28, 23, 59, 59, 999), 0];
    for (const start of starts) {
      for (let ms = start; ms < start + 30; ms++) expect(head.at(ms).toString('latin1')).toBe(expected(ms));
    }
  });

  it('follows the clock back as well as forward, and within the same second', () => {
    const t = Date.UTC(2026, 10, 25, 18, 11, 19, 500);
    for (const ms of [t, t - 400, t + 1, t - 86_400_000 + 7, t]) expect(head.at(ms).toString('latin1')).toBe(expected(ms));
  });

  it('gives a year past 9999 a head of its own, then goes back to the usual one', () => {
    const far = Date.UTC(10_000, 0, 1, 0, 0, 0, 5);
    expect(head.at(far).toString('latin1')).toBe(expected(far));
    const t = Date.UTC(2026, 10, 25, 18, 11, 19, 5);
    expect(head.at(t).toString('latin1')).toBe(expected(t));
  });
});
