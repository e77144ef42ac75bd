interface PromResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: Array<{ value?: [number, string]; values?: Array<[number, string]> }> };
}

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

/** A number from Prometheus's text form; NaN and infinities (a ratio over no traffic) are "no data". */
function sample(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Just enough of Prometheus's HTTP API (/api/v1/query and /query_range) for the status page. */
export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 2000,
  ) {}

  /** The single value of an instant query, or null when it has none. */
  async query(expr: string, at: Date): Promise<number | null> {
    const data = await this.get('/api/v1/query', { query: expr, time: String(at.getTime() / 1000) });
    return sample(data.result[0]?.value?.[1]);
  }

  /** The values of a range query's single series, keyed by Unix time in seconds. */
  async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<Map<number, number | null>> {
    const data = await this.get('/api/v1/query_range', {
      query: expr,
      start: String(start.getTime() / 1000),
      end: String(end.getTime() / 1000),
      step: String(stepSeconds),
    });
    return new Map((data.result[0]?.values ?? []).map(([t, v]) => [Math.round(t), sample(v)]));
  }

  private async get(path: string, params: Record<string, string>): Promise<NonNullable<PromResponse['data']>> {
    const res = await fetch(`${this.baseUrl}${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: { accept: 'application/json' },
    });
    const body = (await res.json().catch(() => undefined)) as PromResponse | undefined;
    if (!res.ok || body?.status !== 'success' || !body.data) throw new PrometheusError(`Prometheus answered ${res.status} to ${path}`);
    return body.data;
  }
}
