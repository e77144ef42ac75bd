import { describe, expect, it } from 'vitest';
import { duration, milliseconds, percent } from './format';

describe('format', () => {
  it('rounds availability down, so a missed objective never reads as met', () => {
    expect(percent(0.99899)).toBe('99,89 %');
    expect(percent(0.9995)).toBe('99,95 %');
    expect(percent(1)).toBe('100,00 %');
    expect(percent(0.999, 1)).toBe('99,9 %');
    expect(percent(null)).toBe('pas de données');
  });

  it('formats latencies in milliseconds and durations in hours and minutes', () => {
    expect(milliseconds(0.0424)).toBe('42 ms');
    expect(milliseconds(null)).toBe('pas de données');
    expect(duration('2026-01-01T10:00:00Z', '2026-01-01T10:09:40Z')).toBe('10 min');
    expect(duration('2026-01-01T10:00:00Z', '2026-01-01T12:05:00Z')).toBe('2 h 05 min');
  });
});
