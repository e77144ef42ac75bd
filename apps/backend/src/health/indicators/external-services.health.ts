import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/** The seed's checkExternalServices: each configured URL must answer 2xx/3xx within the timeout. */
@Injectable()
export class ExternalServicesHealthIndicator {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async isHealthy(key: string): Promise<HealthIndicatorResult> {
    const { externalUrls, timeoutMs } = this.config.health;
    const results = await Promise.all(externalUrls.map((url) => this.probe(url, timeoutMs)));
    const services = Object.fromEntries(results);
    const indicator = this.indicators.check(key);
    const allUp = results.every(([, r]) => r.status === 'up');
    return allUp ? indicator.up({ services }) : indicator.down({ services });
  }

  private async probe(url: string, timeoutMs: number): Promise<[string, { status: 'up' | 'down'; code?: number; message?: string }]> {
    const name = displayName(url);
    try {
      const { target, headers } = withoutCredentials(url);
      const res = await fetch(target, { method: 'GET', headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return [name, res.status < 400 ? { status: 'up', code: res.status } : { status: 'down', code: res.status }];
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      return [name, { status: 'down', message: timedOut ? `no answer within ${timeoutMs} ms` : 'unreachable' }];
    }
  }
}

/** The URL without credentials or query string: the health JSON is readable by anyone who can reach it. */
function displayName(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** fetch refuses URLs with credentials: they travel as a Basic authorization header instead. */
function withoutCredentials(url: string): { target: string; headers: Record<string, string> } {
  const u = new URL(url);
  if (!u.username && !u.password) return { target: url, headers: {} };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { target: u.toString(), headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` } };
}
