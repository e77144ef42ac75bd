import { Context, context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isInfrastructureRoute, routeLabel, UNMATCHED_ROUTE } from '../common/route-label';

/** The instrumentation scope of the server spans, as the APM UI shows it. */
export const SERVER_SPAN_SCOPE = '@ecosyste/backend-http';

// A request decoration rather than a property added to sampled requests only: every request keeps
// one object shape, so Fastify's hot paths stay monomorphic for the unsampled ones too.
const TRACE_CONTEXT = 'traceContext';

interface TracedRequest extends FastifyRequest {
  [TRACE_CONTEXT]?: Context | null;
}

/**
 * One SERVER span per request, made from Fastify's hooks instead of @opentelemetry/instrumentation-http
 * and -nestjs-core: those wrap every request (context, emitter binding, header parsing, a Nest span)
 * whether it is sampled or not, and cost more CPU than serving a cached read. Here the sampling
 * decision comes first: for the default sampler a new trace is one draw of the ratio (rootRatio)
 * before any span exists; an unsampled caller's traceparent, or another sampler, gets a
 * NonRecordingSpan. An unsampled request runs with no span in its context, so pg and ioredis
 * (requireParentSpan) skip it too.
 *
 * Registered before any other hook (see app.factory.ts): the sampled request's later onRequest hooks,
 * its handler and the onResponse hooks after this one (the request log line) all run in its context.
 */
export function traceServerRequests(
  fastify: FastifyInstance,
  { tracer = trace.getTracer(SERVER_SPAN_SCOPE), rootRatio }: { tracer?: Tracer; rootRatio?: number } = {},
): void {
  fastify.decorateRequest(TRACE_CONTEXT, null);
  // Nothing to carry. Should a sampled request's context have leaked into this connection's async
  // resources (keep-alive), it is dropped so this request is not logged under its trace.
  const untraced = (done: () => void) => (context.active() === ROOT_CONTEXT ? done() : context.with(ROOT_CONTEXT, done));
  fastify.addHook('onRequest', (request: TracedRequest, _reply, done) => {
    const route = routeLabel(request);
    // Probes and scrapes would be most of the traces of a quiet instance.
    if (isInfrastructureRoute(route)) return done();
    // A new trace is sampled here, before any span exists (see hookRootRatio).
    if (request.headers.traceparent === undefined && rootRatio !== undefined && !(Math.random() < rootRatio)) return untraced(done);
    // A caller's W3C traceparent is the parent: parent-based sampling keeps its decision.
    const parent = request.headers.traceparent === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(route === UNMATCHED_ROUTE ? request.method : `${request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
    if (!span.isRecording()) return untraced(done);

    span.setAttributes({
      'http.request.method': request.method,
      // The path only: a query string may carry a token.
      'url.path': pathOf(request.url),
      'url.scheme': request.protocol,
      'network.protocol.version': request.raw.httpVersion,
      'client.address': request.ip,
      ...(route === UNMATCHED_ROUTE ? {} : { 'http.route': route }),
      ...(request.headers['user-agent'] ? { 'user_agent.original': request.headers['user-agent'] } : {}),
    });
    const ctx = trace.setSpan(parent, span);
    request[TRACE_CONTEXT] = ctx;
    // Everything after this hook (body, handler, Nest, pg, ioredis) continues from here, so it
    // inherits the context; binding request.raw as instrumentation-http does is not needed (the
    // spec's slowly sent body proves it), and patching its methods gave ~5 % back in our runs.
    context.with(ctx, done);
  });

  fastify.addHook('onError', (request: TracedRequest, _reply, error, done) => {
    if (request[TRACE_CONTEXT]) trace.getSpan(request[TRACE_CONTEXT])?.recordException(error);
    done();
  });

  fastify.addHook('onResponse', (request: TracedRequest, reply, done) => {
    const ctx = request[TRACE_CONTEXT];
    const span = ctx && trace.getSpan(ctx);
    if (!ctx || !span) return done();
    span.setAttribute('http.response.status_code', reply.statusCode);
    // A 4xx is the client's mistake; only 5xx marks the server span failed.
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    // The 'finish' event runs outside the request's context: restore it so the onResponse hooks
    // registered after this one (the request log line) carry the trace id.
    context.with(ctx, done);
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
