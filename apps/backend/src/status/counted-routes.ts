/**
 * The requests the status page counts, the same from both its sources (the app's own counters and
 * Prometheus): the API users call, by route template — not the page's own polling, Alertmanager's
 * webhook, probes, scrapes, static files or unmatched paths.
 */
const COUNTED = '/api/.+';
const NOT_COUNTED = '/api/(status|alerts)(/.*)?';

/** The same rule as a PromQL label selector on http_requests_total's `route`. */
export const COUNTED_ROUTES_SELECTOR = `route=~"${COUNTED}",route!~"${NOT_COUNTED}"`;

const counted = new RegExp(`^(?:${COUNTED})$`);
const notCounted = new RegExp(`^(?:${NOT_COUNTED})$`);

export function isCountedRoute(route: string): boolean {
  return counted.test(route) && !notCounted.test(route);
}
