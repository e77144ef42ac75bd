import { describe, expect, it } from 'vitest';
import { COUNTED_ROUTES_SELECTOR, isCountedRoute } from './counted-routes';

describe('the routes the status page counts', () => {
  it('counts the API users call, by route template', () => {
    expect(isCountedRoute('/api/businesses')).toBe(true);
    expect(isCountedRoute('/api/businesses/:id')).toBe(true);
  });

  it("leaves out the page's polling, the alert webhook, probes, scrapes and unmatched paths", () => {
    for (const route of ['/api/status', '/api/alerts/webhook', '/health/ready', '/metrics', 'unmatched', '/', '/api']) {
      expect(isCountedRoute(route), route).toBe(false);
    }
  });

  it('says the same thing as a PromQL selector', () => {
    expect(COUNTED_ROUTES_SELECTOR).toBe('route=~"/api/.+",route!~"/api/(status|alerts)(/.*)?"');
  });
});
