import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.loader';

describe('status page and alert webhook configuration', () => {
  it('is off by default: own counters, webhook refused', () => {
    const config = loadConfig({});
    expect(config.status.prometheusUrl).toBeUndefined();
    expect(config.alerts.webhookToken).toBeUndefined();
  });

  it('takes a Prometheus base URL, without its trailing slash', () => {
    expect(loadConfig({ PROMETHEUS_URL: 'http://prometheus:9090/' }).status.prometheusUrl).toBe('http://prometheus:9090');
  });

  it.each([
    [{ PROMETHEUS_URL: 'prometheus:9090' }, 'PROMETHEUS_URL=(hidden): expected an http:// or https:// URL'],
    [{ ALERT_WEBHOOK_TOKEN: 'short' }, 'ALERT_WEBHOOK_TOKEN=(hidden): must be at least 16 characters'],
  ])('refuses %j with one line that hides the value', (env, line) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(line);
  });
});
