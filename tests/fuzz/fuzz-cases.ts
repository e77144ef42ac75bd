import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FuzzCase } from './raw-http';

/** Hand-written and past-regression cases, replayed before the random ones on every run. */
export function loadCorpus(dir = join(__dirname, 'corpus')): FuzzCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as FuzzCase[]).map((c) => ({ ...c, name: `${f}: ${c.name}` })));
}

/** Small, seedable PRNG: a failing run is replayed exactly with the same FUZZ_SEED. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE businesses;--",
  "%' --",
  '\\',
  '%',
  '_',
  '%%',
  "'; SELECT pg_sleep(10);--",
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '../../etc/passwd',
  '\u0000',
  '\u202etxt.exe',
  '🥐🧀',
  'Ⅻ ﬁ ß İ',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '__proto__',
  'constructor',
];

const NUMBERS = ['', '0', '1', '-1', '2', '20', '100', '101', '10000', '10001', '1e3', '0x10', '1.5', ' 1', '01', 'NaN', 'Infinity', '9'.repeat(40)];

export interface GeneratorContext {
  adminToken: string;
  /** Ids that exist in the database under test, so some PATCH/DELETE/GET reach real rows. */
  ids: string[];
}

/** Builds a random request from weighted pools of valid, odd and hostile parts. */
export function randomCase(rand: () => number, ctx: GeneratorContext, n: number): FuzzCase {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;
  const longText = (len: number) => pick(['a', 'é', '%', '🥐', "'", 'x ']).repeat(len);

  const value = (): string => {
    const r = rand();
    if (r < 0.3) return pick(NUMBERS);
    if (r < 0.55) return pick(INJECTIONS);
    if (r < 0.7) return pick(['martin', 'Paris', 'boulangerie', 'café', 'lyon', 'Chez', 'bio', 'de saison']);
    if (r < 0.8) return longText(pick([61, 81, 101, 1000, 5000]));
    return Array.from({ length: 1 + Math.floor(rand() * 12) }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
  };
  const enc = (s: string) => (chance(0.85) ? encodeURIComponent(s) : s.replace(/[\s#]/g, (c) => encodeURIComponent(c)));
  const query = (): string => {
    if (chance(0.2)) return '';
    const keys = ['page', 'limit', 'q', 'category', 'city', 'q', 'page', 'unknown', '__proto__', 'constructor[prototype][x]', 'q[]', 'limit[a]', '', 'Q', 'page.x'];
    const pairs = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => {
      const key = pick(keys);
      return chance(0.05) ? key : `${key}=${enc(value())}`;
    });
    if (chance(0.05)) pairs.push(pick(['%', '%zz', '%c3%28', '%ff%fe', '&&&', '=&=', 'q=%00']));
    return `?${pairs.join('&')}`;
  };

  const id = (): string =>
    pick([
      ...(ctx.ids.length ? [pick(ctx.ids), pick(ctx.ids)] : []),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
      'not-a-uuid',
      '1',
      '-1',
      "1' OR '1'='1",
      '%00',
      '..%2F..%2Fetc%2Fpasswd',
      encodeURIComponent(pick(INJECTIONS)),
      'a'.repeat(300),
      `${pick(ctx.ids.length ? ctx.ids : ['x'])}x`,
    ]);

  const path = (): string => {
    // Most requests reach a real handler, where the parsing and validation live.
    if (chance(0.45)) return '/api/businesses';
    if (chance(0.35)) return `/api/businesses/${id()}`;
    return pick([
      '/api/businesses',
      '/api/businesses',
      '/api/businesses',
      `/api/businesses/${id()}`,
      `/api/businesses/${id()}`,
      `/api/businesses/${id()}/extra`,
      '/api/businesses/',
      '//api//businesses',
      '/api/./businesses',
      '/api/x/../businesses',
      '/API/BUSINESSES',
      '/api/businesses%2F..%2F..',
      '/api/businesses;a=b',
      '/api/businesses%00',
      '/%ff',
      '/api',
      '/',
      '/health/live',
      '/health/ready',
      '/metrics',
      `/${encodeURIComponent(pick(INJECTIONS))}`,
      `/api/businesses/${'a/'.repeat(200)}`,
    ]);
  };

  const method = pick([...Array<string>(8).fill('GET'), 'POST', 'POST', 'POST', 'PATCH', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS', 'TRACE', 'get', 'FOO', 'PROPFIND']);

  const field = (): unknown =>
    pick<unknown>([value(), value(), 1, -1, 1e308, true, null, [], {}, ['a'], { a: 1 }, longText(3000), 'x@y.fr', 'https://example.org', 'javascript:alert(1)', '+33 1 23 45 67 89']);
  const jsonBody = (): string => {
    const r = rand();
    if (r < 0.35) {
      const obj: Record<string, unknown> = { name: `Fuzz ${n}`, category: 'boulangerie', city: 'Paris' };
      for (const k of ['name', 'category', 'city', 'description', 'address', 'phone', 'email', 'website', 'id', 'createdAt', 'extra']) {
        if (chance(0.25)) obj[k] = field();
      }
      return JSON.stringify(obj);
    }
    if (r < 0.45) return JSON.stringify(field());
    return pick([
      '',
      '{',
      '{"name":',
      "{'name':'x'}",
      '{"name":"a",}',
      'null',
      '[]',
      '"text"',
      '1e999',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"name":"\\ud800"}',
      '{"name":"a\u0000b","category":"c","city":"d"}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `{"description":"${'d'.repeat(3000)}"}`,
      '\u00ff\u00fe{',
    ]);
  };

  const headers: [string, string][] = [];
  const write = ['POST', 'PATCH', 'PUT', 'DELETE'].includes(method);
  let body: string | undefined;
  if (write || chance(0.05)) {
    body = jsonBody();
    headers.push([
      'Content-Type',
      pick([
        'application/json',
        'application/json',
        'application/json',
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/vnd.api+json',
        'application/json, text/plain',
        'garbage',
        '',
      ]),
    ]);
  }
  if (write || chance(0.1)) {
    const auth = pick([
      `Bearer ${ctx.adminToken}`,
      `Bearer ${ctx.adminToken}`,
      `bearer ${ctx.adminToken}`,
      'Bearer wrong-token-wrong-token',
      'Bearer',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${ctx.adminToken} extra`,
      `Bearer ${'x'.repeat(4000)}`,
      '',
    ]);
    if (auth !== '' || chance(0.5)) headers.push(['Authorization', auth]);
  }
  if (chance(0.15)) headers.push(['Accept', pick(['*/*', 'text/html', 'application/xml', 'application/json;q=0', '', 'x'.repeat(2000)])]);
  if (chance(0.1)) headers.push(['X-Forwarded-For', pick(['1.2.3.4', 'garbage', '::1, 127.0.0.1', '999.999.999.999', "'; DROP TABLE x;--"])]);
  if (chance(0.05)) headers.push(['Accept-Encoding', pick(['gzip', 'br, deflate', '*', 'identity;q=0'])]);
  if (chance(0.05)) headers.push([pick(['X-Fuzz', 'traceparent', 'X-Request-Id', 'If-None-Match', 'Range', 'Origin']), value().replace(/[\r\n]/g, '')]);

  const target = `${path()}${method === 'GET' || chance(0.2) ? query() : ''}`;
  return { name: `random #${n}`, method, target, headers, body };
}
