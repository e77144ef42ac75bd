import type { HealthIndicatorResult } from '@nestjs/terminus';
import { withDeadline } from '../common/with-deadline';

/**
 * Runs one check with a deadline. A check that hangs or throws turns into a `down` result for its
 * key, so a probe always answers with terminus's JSON within the deadline (never a 500).
 */
export async function withTimeout(
  key: string,
  timeoutMs: number,
  check: () => Promise<HealthIndicatorResult>,
): Promise<HealthIndicatorResult> {
  const timedOut = (): HealthIndicatorResult => ({ [key]: { status: 'down', message: `no answer within ${timeoutMs} ms` } });
  return withDeadline(check().catch((err: unknown) => failure(key, err)), timeoutMs, timedOut);
}

/** terminus's own indicators throw an error carrying the result in `causes`; keep it. */
function failure(key: string, err: unknown): HealthIndicatorResult {
  const causes = (err as { causes?: HealthIndicatorResult } | null)?.causes;
  if (causes && typeof causes === 'object' && key in causes) return causes;
  return { [key]: { status: 'down', message: err instanceof Error ? err.message : String(err) } };
}
