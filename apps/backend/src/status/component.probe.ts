export type ComponentState = 'operational' | 'degraded' | 'down';

/**
 * Runs a ping with a deadline: a dependency that hangs is down for the page, and the page
 * answers in bounded time whatever the dependency does.
 */
export async function probe(ping: () => Promise<unknown>, timeoutMs: number): Promise<ComponentState> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ComponentState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  try {
    return await Promise.race([
      ping().then(
        () => 'operational' as const,
        () => 'down' as const,
      ),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
