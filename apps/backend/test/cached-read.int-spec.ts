import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import { BusinessesService } from '../src/businesses/businesses.service';
import { CachedReadHook } from '../src/businesses/cached-read.hook';
import { AUTH, createBusiness, createTestApp, TestApp } from './support/test-app';

// Headers that differ between any two responses, whoever answers them.
const PER_RESPONSE = new Set(['date', 'x-request-id', 'x-ratelimit-remaining', 'x-ratelimit-reset']);
const stableHeaders = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_RESPONSE.has(name)));

/**
 * CachedReadHook answers cache hits of the two public reads before Nest. What it must never change
 * is what a client sees: these compare its answers with the controller's, and check that every
 * request it doesn't answer (miss, invalid input, HEAD) still reaches the controller.
 */
describe.skipIf(await missing('postgres'))('cache hits of the public reads, answered before Nest', () => {
  let t: TestApp;
  let service: BusinessesService;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_MAX: '100000' } });
    service = t.app.get(BusinessesService);
    const created = await createBusiness(t, { name: 'Fromagerie Hook', category: 'fromagerie', city: 'Annecy' });
    id = created.json().id;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  it('sends a cached list with the same status, headers and bytes as the controller did, without running it', async () => {
    const list = vi.spyOn(service, 'list');
    const url = '/api/businesses?city=Annecy&limit=5';
    const first = await t.app.inject({ url });
    expect(list).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 20)); // the cache write is fire-and-forget

    const second = await t.app.inject({ url });
    expect(list).toHaveBeenCalledTimes(1);
    expect(second.statusCode).toBe(200);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(stableHeaders(second.headers)).toEqual(stableHeaders(first.headers));
    // The onRequest hooks ran: the request has its id and counts against the client's budget.
    expect(second.headers['x-request-id']).toBeTruthy();
    expect(Number(second.headers['x-ratelimit-remaining'])).toBe(Number(first.headers['x-ratelimit-remaining']) - 1);
    // A query that validates to the same values shares the entry (limit=05 is limit 5).
    await t.app.inject({ url: '/api/businesses?limit=05&city=Annecy' });
    expect(list).toHaveBeenCalledTimes(1);
    list.mockRestore();
  });

  it('counts and labels a request it answered like any other (the onResponse hooks run)', async () => {
    const series = async () => {
      const text = (await t.app.inject({ url: '/metrics' })).body;
      const line = text.split('\n').find((l) => l.startsWith('http_requests_total{method="GET",route="/api/businesses",status="200"}'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    await t.app.inject({ url: '/api/businesses?city=Annecy' });
    const before = await series();
    await t.app.inject({ url: '/api/businesses?city=Annecy' });
    expect(await series()).toBe(before + 1);
  });

  it('leaves an invalid query, and a HEAD, to the controller', async () => {
    await t.app.inject({ url: '/api/businesses?limit=5' });
    const invalid = await t.app.inject({ url: '/api/businesses?limit=0' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ statusCode: 400, errors: [{ field: 'limit' }] });
    const unknown = await t.app.inject({ url: '/api/businesses?limit=5&colour=red' });
    expect(unknown.statusCode).toBe(400);
    const head = await t.app.inject({ method: 'HEAD', url: '/api/businesses?limit=5' });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('sends a cached business as the controller did, and leaves bad and unknown ids to it', async () => {
    const get = vi.spyOn(service, 'get');
    const first = await t.app.inject({ url: `/api/businesses/${id}` });
    await new Promise((r) => setTimeout(r, 20));
    const second = await t.app.inject({ url: `/api/businesses/${id}` });
    expect(get).toHaveBeenCalledTimes(1);
    expect(second.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(stableHeaders(second.headers)).toEqual(stableHeaders(first.headers));

    expect((await t.app.inject({ url: '/api/businesses/not-a-uuid' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/businesses/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    // The bad id stops at the controller's pipe; the unknown one reaches the service and its 404.
    expect(get).toHaveBeenCalledTimes(2);
    get.mockRestore();
  });

  it('keeps at most 1000 validated query strings, and still answers each query string as its own', async () => {
    const hook = t.app.get(CachedReadHook);
    for (let page = 1; page <= 1200; page++) await t.app.inject({ url: `/api/businesses?page=${page}&limit=1` });
    expect(hook['knownQueries'].size).toBeLessThanOrEqual(1000);
    const first = (await t.app.inject({ url: '/api/businesses?page=1&limit=1' })).json();
    const second = (await t.app.inject({ url: '/api/businesses?page=2&limit=1' })).json();
    expect([first.page, second.page]).toEqual([1, 2]);
  });

  it('never answers with a page older than a write of this replica', async () => {
    const url = '/api/businesses?category=fromagerie';
    await t.app.inject({ url });
    await new Promise((r) => setTimeout(r, 20));
    expect((await t.app.inject({ url })).json().total).toBe(1);
    const created = await createBusiness(t, { name: 'Fromagerie Deux', category: 'fromagerie', city: 'Annecy' });
    expect(created.statusCode).toBe(201);
    expect((await t.app.inject({ url })).json().total).toBe(2);

    const updated = await t.app.inject({
      method: 'PATCH',
      url: `/api/businesses/${id}`,
      headers: { 'content-type': 'application/json', ...AUTH },
      payload: JSON.stringify({ city: 'Chambéry' }),
    });
    expect(updated.statusCode).toBe(200);
    expect((await t.app.inject({ url: `/api/businesses/${id}` })).json().city).toBe('Chambéry');
  });
});

describe.skipIf((await missing('postgres')) || (await missing('redis')))('on Redis, from the near cache', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ redis: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers from the near copy once a Redis hit has filled it, not from Redis itself', async () => {
    const list = vi.spyOn(t.app.get(BusinessesService), 'list');
    const url = '/api/businesses?city=Grenoble';
    const responses = [];
    for (let i = 0; i < 3; i++) {
      responses.push(await t.app.inject({ url }));
      await new Promise((r) => setTimeout(r, 20));
    }
    // A miss (PostgreSQL), a Redis hit through the controller that fills the near copy, then the hook.
    expect(list).toHaveBeenCalledTimes(2);
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(responses[2].rawPayload.equals(responses[0].rawPayload)).toBe(true);
    list.mockRestore();
  });
});
