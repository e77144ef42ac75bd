// Errors that mean "the database can't serve right now" rather than "this request is wrong":
// the API answers them with a 503 (retry later), not a 500 (our bug).

/** Socket-level failures reaching PostgreSQL. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01–57P03 (server shutting down,
 * crashed, or still starting), 53300 (too many connections), 57014 (statement timeout: the
 * server is too slow to answer within DATABASE_STATEMENT_TIMEOUT_MS).
 */
const SQLSTATE = /^(08...|57P0[123]|53300|57014)$/;

/**
 * node-postgres's own pool and connection failures carry no code, only these messages. The last is
 * PostgreSQL's 55000 for a database closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS
 * false, as during maintenance): 55000 as a whole also means other, request-level states.
 */
const PG_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connection error and is not queryable|Client was closed|Query read timeout|is not (currently )?accepting connections/i;

/** Walks the cause chain (Drizzle wraps the driver's error) looking for an outage. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true;
    if (PG_MESSAGES.test(e.message)) return true;
  }
  return false;
}
