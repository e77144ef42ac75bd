import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../database/database-errors';
import { safeUrl } from '../logging/redact';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  [extra: string]: unknown;
}

/** Fastify's own client errors (bad JSON, body too large, unsupported media type…). */
interface FastifyClientError extends Error {
  statusCode: number;
  code?: string;
}

function isClientFrameworkError(err: unknown): err is FastifyClientError {
  const status = (err as FastifyClientError | null)?.statusCode;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * Every error leaves as JSON `{ statusCode, error, message }`. Client mistakes keep their 4xx and
 * a message that helps; anything unexpected becomes a bare 500 — its details go to the log only,
 * never a stack trace or a framework name to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const body = this.toBody(exception, request);
    if (body.statusCode >= 500) {
      // The request's server span (when it is sampled) shows what failed: errors handled here never
      // reach Fastify's onError hook, where the span would otherwise record them. Without tracing
      // there is no active span, and this is one lookup.
      trace.getActiveSpan()?.recordException(exception instanceof Error ? exception : String(exception));
    }
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof HttpException)) {
      // An outage fails every request: one short line each, not a stack trace at request rate.
      this.logger.warn({ method: request?.method, url: request && safeUrl(request.url) }, `database unavailable: ${(exception as Error).message}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(
        { err: exception, method: request?.method, url: request && safeUrl(request.url) },
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (reply.sent) return;
    if (body.statusCode === HttpStatus.SERVICE_UNAVAILABLE) void reply.header('retry-after', '5');
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest | undefined): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const base = { statusCode: status, error: reasonPhrase(status) };
      if (status === HttpStatus.NOT_FOUND && typeof response === 'object' && /^Cannot /.test(String((response as ErrorBody).message))) {
        // Nest's default "Cannot GET /x" echoes the path; say it plainly instead.
        return { ...base, message: `No route for ${request?.method ?? 'this method'} ${request?.url?.split('?')[0] ?? ''}` };
      }
      if (typeof response === 'string') return { ...base, message: response };
      const r = response as Partial<ErrorBody>;
      return { ...base, ...r, statusCode: status, message: String(r.message ?? base.error) };
    }
    if (isClientFrameworkError(exception)) {
      return { statusCode: exception.statusCode, error: reasonPhrase(exception.statusCode), message: exception.message };
    }
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: 503, error: 'Service Unavailable', message: 'The database is unavailable: retry shortly' };
    }
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };
  }
}

function reasonPhrase(status: number): string {
  const name = HttpStatus[status];
  if (!name) return status >= 500 ? 'Internal Server Error' : 'Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
}
