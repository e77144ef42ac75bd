'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, getJson } from './api';

export type Loadable<T> =
  | { state: 'loading'; data?: T }
  | { state: 'ok'; data: T }
  | { state: 'error'; error: ApiError | Error; data?: T };

/**
 * Fetches a JSON path and follows it when it changes; an older answer never overwrites a newer
 * one. While a new path loads, the previous data stays available so the page doesn't jump.
 */
export function useJson<T>(path: string | null, refreshMs?: number): Loadable<T> & { retry(): void } {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setResult((prev) => ({ state: 'loading', data: prev.data }));
    getJson<T>(path, controller.signal).then(
      (data) => setResult({ state: 'ok', data }),
      (error: Error) => {
        if (!controller.signal.aborted) setResult((prev) => ({ state: 'error', error, data: prev.data }));
      },
    );
    const timer = refreshMs ? setTimeout(() => setAttempt((n) => n + 1), refreshMs) : undefined;
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [path, attempt, refreshMs]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...result, retry };
}
