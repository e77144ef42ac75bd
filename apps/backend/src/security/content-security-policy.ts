/**
 * The one Content-Security-Policy of ECOSYSTE, sent by the app (helmet) and by the nginx edge
 * (nginx/nginx.conf.template carries the same string; tests/edge checks that they agree).
 *
 * Next.js's static export hydrates through inline `self.__next_f.push(...)` scripts whose content
 * changes with every page and build, and React writes inline style attributes: hashes would have
 * to be recomputed into the server config on each build, so inline scripts and styles are allowed
 * and everything else (remote scripts, plugins, framing, foreign form targets) is not.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'", "'unsafe-inline'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
});

export function cspHeaderValue(): string {
  return Object.entries(CSP_DIRECTIVES)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
