/**
 * `work`'s result, or `onTimeout()`'s once `timeoutMs` has passed without one: a caller that must
 * answer in bounded time (a probe, the status page) never waits on a dependency that hangs.
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
