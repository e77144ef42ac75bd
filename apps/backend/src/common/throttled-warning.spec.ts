import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ThrottledWarning } from './throttled-warning';

describe('ThrottledWarning', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('writes the first failure, then at most one per interval', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const lines: string[] = [];
    vi.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void lines.push(String(message)));
    const warning = new ThrottledWarning('Test', 10_000, (reason) => `store down: ${reason}`);
    for (let i = 0; i < 100; i++) warning.report(new Error(`refused ${i}`));
    vi.advanceTimersByTime(10_000);
    warning.report('timeout');
    expect(lines).toEqual(['store down: refused 0', 'store down: timeout']);
  });
});
