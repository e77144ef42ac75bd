// The API's shapes as the pages use them, and one fetch helper. Same origin: nginx in production
// and the backend under `npm start` both serve /api next to the pages.

export interface Business {
  id: string;
  name: string;
  category: string;
  city: string;
  description: string | null;
  address: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
}

export interface BusinessPage {
  items: Business[];
  page: number;
  limit: number;
  total: number;
}

export type ComponentState = 'operational' | 'degraded' | 'down';
export type ComponentId = 'api' | 'database' | 'cache';

export interface Incident {
  id: string;
  title: string;
  severity: 'critical' | 'warning';
  component: ComponentId;
  status: 'firing' | 'resolved';
  startedAt: string;
  resolvedAt: string | null;
  timeline: Array<{ status: 'firing' | 'resolved'; at: string }>;
}

export interface StatusReport {
  generatedAt: string;
  overall: 'operational' | 'degraded' | 'major_outage';
  components: Array<{ id: ComponentId; status: ComponentState }>;
  slo: {
    source: 'prometheus' | 'process';
    since: string | null;
    objective: number;
    availability: { '24h': number | null; '7d': number | null; '30d': number | null };
    errorBudgetRemaining: number | null;
    latency: { p95Seconds: number | null; thresholdSeconds: number };
    hourly: Array<{ at: string; availability: number | null; p95Seconds: number | null }>;
    daily: Array<{ at: string; availability: number | null }>;
  };
  incidents: { open: Incident[]; past: Incident[] } | null;
}

/** An API answer other than 2xx, with the API's own message when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { accept: 'application/json' } });
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new ApiError(res.status, typeof message === 'string' ? message : `HTTP ${res.status}`);
  }
  return body as T;
}
