import { ServiceUnavailableException } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

/**
 * terminus throws its 503 as an exception: through the global filter each failed probe would log
 * a stack trace and wrap the body. Here a failed check is an answer: 503 with terminus's own JSON.
 */
export async function healthResponse(reply: FastifyReply, check: () => Promise<HealthCheckResult>): Promise<HealthCheckResult | object> {
  try {
    return await check();
  } catch (err) {
    if (!(err instanceof ServiceUnavailableException)) throw err;
    void reply.status(503);
    return err.getResponse() as object;
  }
}
