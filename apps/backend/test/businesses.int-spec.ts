import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missing } from '../../../tests/helpers/services';
import { AUTH, createTestApp, TestApp } from './support/test-app';

const valid = { name: 'Boulangerie Test', category: 'boulangerie', city: 'Lyon' };

describe.skipIf(await missing('postgres'))('businesses API on PostgreSQL', () => {
  let t: TestApp;
  const inject = (opts: Parameters<TestApp['app']['inject']>[0]) => t.app.inject(opts);
  const json = (opts: { method: 'POST' | 'PATCH'; url: string; payload: unknown; headers?: Record<string, string> }) =>
    inject({ ...opts, headers: { 'content-type': 'application/json', ...AUTH, ...opts.headers }, payload: JSON.stringify(opts.payload) });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('create, read, update, delete', () => {
    it('creates a business with server-set id and timestamps, then reads, patches and deletes it', async () => {
      const created = await json({ method: 'POST', url: '/api/businesses', payload: { ...valid, email: 'a@b.fr', website: 'https://b.fr' } });
      expect(created.statusCode).toBe(201);
      const body = created.json();
      expect(body).toMatchObject({ ...valid, email: 'a@b.fr', website: 'https://b.fr', description: null });
      expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

      const read = await inject({ url: `/api/businesses/${body.id}` });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(body);

      const patched = await json({ method: 'PATCH', url: `/api/businesses/${body.id}`, payload: { city: 'Annecy' } });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ id: body.id, city: 'Annecy', name: valid.name });
      expect(new Date(patched.json().updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(body.updatedAt).getTime());
      // The cached detail was dropped by the write.
      expect((await inject({ url: `/api/businesses/${body.id}` })).json().city).toBe('Annecy');

      const deleted = await inject({ method: 'DELETE', url: `/api/businesses/${body.id}`, headers: AUTH });
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      expect((await inject({ url: `/api/businesses/${body.id}` })).statusCode).toBe(404);
      expect((await inject({ method: 'DELETE', url: `/api/businesses/${body.id}`, headers: AUTH })).statusCode).toBe(404);
    });

    it('answers 404 with a JSON error for an unknown id and an unknown route', async () => {
      const id = await inject({ url: '/api/businesses/00000000-0000-4000-8000-000000000000' });
      expect(id.statusCode).toBe(404);
      expect(id.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
      const route = await inject({ url: '/api/nothing-here' });
      expect(route.statusCode).toBe(404);
      expect(route.headers['content-type']).toMatch(/application\/json/);
    });
  });

  describe('list, search, filters and pagination', () => {
    beforeAll(async () => {
      const rows = [
        { name: 'Alpha Fromages', category: 'fromagerie', city: 'Lyon', description: 'Comté affiné 24 mois' },
        { name: 'Beta Pains', category: 'boulangerie', city: 'Lyon', description: 'Levain naturel' },
        { name: 'Gamma Pains', category: 'boulangerie', city: 'Paris', description: 'Baguette tradition' },
        { name: 'Delta Livres', category: 'librairie', city: 'Paris', description: 'Remise de 5% aux étudiants' },
        { name: 'Epsilon Fleurs', category: 'fleuriste', city: 'Nantes' },
      ];
      for (const row of rows) expect((await json({ method: 'POST', url: '/api/businesses', payload: row })).statusCode).toBe(201);
    });

    it('pages with defaults page=1, limit=20 and a stable name order', async () => {
      const res = await inject({ url: '/api/businesses' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ page: 1, limit: 20 });
      expect(body.total).toBe(body.items.length);
      const names = body.items.map((b: { name: string }) => b.name);
      expect(names).toEqual([...names].sort());

      const p1 = (await inject({ url: '/api/businesses?limit=2&page=1' })).json();
      const p2 = (await inject({ url: '/api/businesses?limit=2&page=2' })).json();
      expect(p1.items).toHaveLength(2);
      expect(p2.items).toHaveLength(2);
      expect(p1.total).toBe(body.total);
      expect(p2.items[0].name > p1.items[1].name).toBe(true);
      const beyond = (await inject({ url: '/api/businesses?limit=2&page=1000' })).json();
      expect(beyond).toMatchObject({ items: [], page: 1000, total: body.total });
    });

    it('searches name and description, case-insensitively, literally', async () => {
      const byName = (await inject({ url: '/api/businesses?q=pains' })).json();
      expect(byName.items.map((b: { name: string }) => b.name)).toEqual(['Beta Pains', 'Gamma Pains']);
      const byDescription = (await inject({ url: '/api/businesses?q=LEVAIN' })).json();
      expect(byDescription.items.map((b: { name: string }) => b.name)).toEqual(['Beta Pains']);
      // % is text, not a wildcard.
      const percent = (await inject({ url: `/api/businesses?q=${encodeURIComponent('5%')}` })).json();
      expect(percent.items.map((b: { name: string }) => b.name)).toEqual(['Delta Livres']);
      expect((await inject({ url: '/api/businesses?q=_' })).json().total).toBe(0);
    });

    it('filters by category and city and combines them with the search', async () => {
      const lyon = (await inject({ url: '/api/businesses?city=lyon' })).json();
      expect(lyon.items.map((b: { name: string }) => b.name)).toEqual(['Alpha Fromages', 'Beta Pains']);
      const bakeries = (await inject({ url: '/api/businesses?category=boulangerie&city=Paris' })).json();
      expect(bakeries.items.map((b: { name: string }) => b.name)).toEqual(['Gamma Pains']);
      expect(bakeries.total).toBe(1);
      const none = (await inject({ url: '/api/businesses?category=boulangerie&q=comté' })).json();
      expect(none).toMatchObject({ items: [], total: 0 });
    });

    it('finds a business created through the API in the very next search (writes invalidate the cache)', async () => {
      const before = (await inject({ url: '/api/businesses?q=zeta' })).json();
      expect(before.total).toBe(0);
      await json({ method: 'POST', url: '/api/businesses', payload: { name: 'Zeta Café', category: 'café', city: 'Lyon' } });
      const after = (await inject({ url: '/api/businesses?q=zeta' })).json();
      expect(after.items.map((b: { name: string }) => b.name)).toEqual(['Zeta Café']);
    });
  });

  describe('bad input gets a 4xx naming the field and the rule', () => {
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['page=0', 'page'],
      ['page=-1', 'page'],
      ['page=1.5', 'page'],
      ['limit=1&limit=2', 'limit'],
      ['sort=name', 'sort'],
      ['q=', 'q'],
      [`q=${'x'.repeat(101)}`, 'q'],
    ])('GET /api/businesses?%s → 400 on %s', async (query, field) => {
      const res = await inject({ url: `/api/businesses?${query}` });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.statusCode).toBe(400);
      expect(body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(body.errors[0].rule).toEqual(expect.any(String));
    });

    it('rejects a malformed id with 400 and the field name', async () => {
      const res = await inject({ url: '/api/businesses/not-a-uuid' });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'id', rule: 'invalid_format' })]);
    });

    it.each([
      [{ category: 'café', city: 'Lyon' }, 'name'],
      [{ ...valid, name: '   ' }, 'name'],
      [{ ...valid, name: 42 }, 'name'],
      [{ ...valid, email: 'not-an-email' }, 'email'],
      [{ ...valid, website: 'javascript:alert(1)' }, 'website'],
      [{ ...valid, phone: 'call me' }, 'phone'],
      [{ ...valid, id: '00000000-0000-4000-8000-000000000000' }, 'id'],
      [{ ...valid, createdAt: '2020-01-01' }, 'createdAt'],
      [{ ...valid, name: 'x'.repeat(121) }, 'name'],
    ])('POST %j → 400 on %s', async (payload, field) => {
      const res = await json({ method: 'POST', url: '/api/businesses', payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field).join(',')).toContain(field);
    });

    it('rejects a body that is not an object, broken JSON, an empty PATCH, and __proto__ keys', async () => {
      expect((await json({ method: 'POST', url: '/api/businesses', payload: [valid] })).statusCode).toBe(400);
      expect((await json({ method: 'POST', url: '/api/businesses', payload: 'text' })).statusCode).toBe(400);
      const broken = await inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'application/json', ...AUTH }, payload: '{"name": ' });
      expect(broken.statusCode).toBe(400);
      expect(broken.json().message).toMatch(/JSON/);
      const created = (await json({ method: 'POST', url: '/api/businesses', payload: valid })).json();
      expect((await json({ method: 'PATCH', url: `/api/businesses/${created.id}`, payload: {} })).statusCode).toBe(400);
      const proto = await inject({
        method: 'POST',
        url: '/api/businesses',
        headers: { 'content-type': 'application/json', ...AUTH },
        payload: '{"name":"a","category":"b","city":"c","__proto__":{"admin":true}}',
      });
      expect(proto.statusCode).toBe(400);
    });

    it('answers 415 for a non-JSON body and 413 for a body over 1 MB', async () => {
      const text = await inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'text/plain', ...AUTH }, payload: 'name=x' });
      expect(text.statusCode).toBe(415);
      const form = await inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'application/x-www-form-urlencoded', ...AUTH }, payload: 'name=x' });
      expect(form.statusCode).toBe(415);
      const big = await json({ method: 'POST', url: '/api/businesses', payload: { ...valid, description: 'x'.repeat(1_100_000) } });
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ statusCode: 413 });
    });

    it('never leaks a stack trace or framework name in errors', async () => {
      const responses = await Promise.all([
        inject({ url: '/api/businesses/not-a-uuid' }),
        inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'application/json', ...AUTH }, payload: '{' }),
        inject({ url: '/nope' }),
      ]);
      for (const res of responses) {
        expect(res.body).not.toMatch(/at .+\.(js|ts):\d+|node_modules|Nest|Fastify|FST_/);
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('writes need the admin token', () => {
    it('401 without a token or with a wrong one, on every write verb', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      for (const [method, url] of [['POST', '/api/businesses'], ['PATCH', `/api/businesses/${id}`], ['DELETE', `/api/businesses/${id}`]] as const) {
        const none = await inject({ method, url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(valid) });
        expect(none.statusCode).toBe(401);
        expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
        const wrong = await inject({
          method,
          url,
          headers: { 'content-type': 'application/json', authorization: 'Bearer wrong-token-wrong-token' },
          payload: JSON.stringify(valid),
        });
        expect(wrong.statusCode).toBe(401);
      }
    });
  });
});

describe.skipIf(await missing('postgres'))('businesses API without an admin token configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { API_ADMIN_TOKEN: '' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses writes with a message saying the token is not configured, and still serves reads', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/businesses', headers: { 'content-type': 'application/json', ...AUTH }, payload: JSON.stringify(valid) });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/API_ADMIN_TOKEN is not configured/);
    expect((await t.app.inject({ url: '/api/businesses' })).statusCode).toBe(200);
  });
});
