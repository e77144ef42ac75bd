import { withDeadline } from '../common/with-deadline';

export type ComponentState = 'operational' | 'degraded' | 'down';

/**
 * Runs a ping with a deadline: a dependency that hangs is down for the page, and the page
 * answers in bounded time whatever the dependency does.
 */
export async function probe(ping: () => Promise<unknown>, timeoutMs: number): Promise<ComponentState> {
  const outcome = ping().then(
    () => 'operational' as const,
    () => 'down' as const,
  );
  return withDeadline<ComponentState>(outcome, timeoutMs, () => 'down');
}
