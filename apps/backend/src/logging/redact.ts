/**
 * Secrets that may hide inside free text (an error message quoting a connection string, a header
 * echoed into a message): credentials in URLs, bearer/basic tokens, key=value secrets.
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/:@]*:[^\s/@]*@/gi, '$1[REDACTED]@'],
  [/\b(bearer|basic)\s+[a-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/\b(password|passwd|pwd|token|secret|api[_-]?key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+/gi, '$1$2[REDACTED]'],
];

// Fast path: most log messages contain none of these markers, and skip the regular expressions.
const MARKERS = /:\/\/|bearer|basic|pass|pwd|token|secret|key/i;

export function redactSecrets(text: string): string {
  if (!MARKERS.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Query string parameters never logged by value, whatever the route. */
const SECRET_QUERY_KEYS = /pass|pwd|token|secret|key|auth|session|code/i;

/** The URL path with the query string's secret values masked. */
export function safeUrl(url: string): string {
  const q = url.indexOf('?');
  // Most URLs name no secret-looking parameter anywhere: one test spares splitting the query.
  if (q < 0 || !SECRET_QUERY_KEYS.test(url)) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq >= 0 && SECRET_QUERY_KEYS.test(key) ? `${key}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}
