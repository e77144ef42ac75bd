import { afterEach, describe, expect, it, vi } from 'vitest';
import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('passes a result through', async () => {
    await expect(withTimeout('db', 100, async () => ({ db: { status: 'up' } }))).resolves.toEqual({ db: { status: 'up' } });
  });

  it('turns a check that never answers into down at the deadline', async () => {
    vi.useFakeTimers();
    const pending = withTimeout('db', 300, () => new Promise(() => undefined));
    await vi.advanceTimersByTimeAsync(300);
    await expect(pending).resolves.toEqual({ db: { status: 'down', message: 'no answer within 300 ms' } });
  });

  it('turns a thrown error into down with its message, keeping terminus causes', async () => {
    await expect(withTimeout('x', 100, async () => Promise.reject(new Error('boom')))).resolves.toEqual({ x: { status: 'down', message: 'boom' } });
    const terminusError = Object.assign(new Error('Used disk storage exceeded'), { causes: { disk: { status: 'down', message: 'full' } } });
    await expect(withTimeout('disk', 100, async () => Promise.reject(terminusError))).resolves.toEqual({ disk: { status: 'down', message: 'full' } });
  });
});
