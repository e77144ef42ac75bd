import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AppProcess, startApp } from '../helpers/app-process';
import { missing } from '../helpers/services';
import { createTestDatabase, queryOnce, TestDatabase } from '../helpers/test-database';
import { MONITORING_DIR, readYaml } from './support/monitoring-files';
import { startReceiver } from './support/monitoring-stack';

const ELK = join(MONITORING_DIR, 'elk');

type Mapping = { type?: string; properties?: Record<string, Mapping> };

/** The index template's explicit fields as dotted paths with their Elasticsearch type. */
function mappedFields(): Map<string, string> {
  const template = JSON.parse(readFileSync(join(ELK, 'index-template.json'), 'utf8')) as {
    template: { mappings: { properties: Record<string, Mapping> } };
  };
  const fields = new Map<string, string>();
  const walk = (props: Record<string, Mapping>, prefix: string) => {
    for (const [name, m] of Object.entries(props)) {
      if (m.properties) walk(m.properties, `${prefix}${name}.`);
      else fields.set(`${prefix}${name}`, m.type!);
    }
  };
  walk(template.template.mappings.properties, '');
  return fields;
}

/** What Filebeat's ndjson parser with expand_keys yields, flattened back to dotted paths. */
function flatten(line: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(line)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, `${prefix}${key}.`, out);
    else out.set(`${prefix}${key}`, value);
  }
  return out;
}

/** Would Elasticsearch index this JSON value into a field of this type without a mapping error? */
function fitsType(type: string, value: unknown): boolean {
  switch (type) {
    case 'long':
      return Number.isInteger(value);
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value);
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0;
    default:
      return typeof value === 'string';
  }
}

interface SavedSearch {
  id: string;
  type: string;
  attributes: { title: string; columns?: string[]; kibanaSavedObjectMeta?: { searchSourceJSON: string } };
}

const kibanaObjects = (): SavedSearch[] =>
  readFileSync(join(ELK, 'kibana-objects.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as SavedSearch);

describe('logging stack files', () => {
  it('Elasticsearch runs with security and TLS, Kibana as kibana_system, every password from the environment', () => {
    const raw = readFileSync(join(MONITORING_DIR, 'elk-stack.yml'), 'utf8');
    const compose = parse(raw) as { services: Record<string, { environment?: Record<string, string> }> };
    const es = compose.services.elasticsearch.environment!;
    expect(es['xpack.security.enabled']).toBe('true');
    expect(es['xpack.security.http.ssl.enabled']).toBe('true');
    const kibana = compose.services.kibana.environment!;
    expect(kibana.ELASTICSEARCH_USERNAME).toBe('kibana_system');
    expect(kibana.ELASTICSEARCH_HOSTS).toMatch(/^https:/);
    for (const [key, value] of Object.entries({ ...es, ...kibana })) {
      if (/PASSWORD|ENCRYPTIONKEY/.test(key)) expect(value, key).toMatch(/^\$\{[A-Z_]+:\?/);
    }
    expect(raw).toMatch(/elasticsearch:8\.\d+\.\d+/);
  });

  it('monitoring/.env.example names every variable elk-stack.yml requires', () => {
    const required = [...readFileSync(join(MONITORING_DIR, 'elk-stack.yml'), 'utf8').matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    const example = readFileSync(join(MONITORING_DIR, '.env.example'), 'utf8');
    expect(new Set(required)).toEqual(new Set(['ELASTIC_PASSWORD', 'KIBANA_SYSTEM_PASSWORD', 'LOGSTASH_WRITER_PASSWORD', 'KIBANA_ENCRYPTION_KEY']));
    for (const name of required) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
  });

  it('retention: the ILM policy rolls over daily and deletes after 30 days, and the template applies it', () => {
    const policy = JSON.parse(readFileSync(join(ELK, 'ilm-policy.json'), 'utf8')) as {
      policy: { phases: Record<string, { min_age: string; actions: Record<string, unknown> }> };
    };
    expect(policy.policy.phases.hot.actions.rollover).toMatchObject({ max_age: '1d' });
    expect(policy.policy.phases.delete).toMatchObject({ min_age: '30d', actions: { delete: {} } });
    const template = JSON.parse(readFileSync(join(ELK, 'index-template.json'), 'utf8')) as {
      index_patterns: string[];
      template: { settings: Record<string, string> };
    };
    expect(template.template.settings['index.lifecycle.name']).toBe('ecosyste-logs');
    const setup = readFileSync(join(ELK, 'setup.sh'), 'utf8');
    expect(setup).toContain('/_ilm/policy/ecosyste-logs');
    expect(setup).toContain('/_index_template/ecosyste-logs');
    // The data streams Logstash writes (logs-<dataset>-production) fall under the template.
    const pattern = new RegExp(`^${template.index_patterns[0].replaceAll('.', '\\.').replaceAll('*', '.*')}$`);
    const pipeline = readFileSync(join(MONITORING_DIR, 'logstash.conf'), 'utf8');
    const datasets = [...pipeline.matchAll(/"\[data_stream\]\[dataset\]" => "([^"]+)"|data_stream_dataset => "([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    expect(datasets).toEqual(expect.arrayContaining(['ecosyste.backend', 'ecosyste.edge']));
    for (const d of datasets) expect(`logs-${d}-production`).toMatch(pattern);
  });

  it("Filebeat decodes each JSON line and nests the backend's dotted keys, then ships to Logstash", () => {
    const filebeat = readYaml<{ 'filebeat.inputs': { parsers: Record<string, Record<string, unknown>>[] }[]; 'output.logstash': { hosts: string[] } }>(
      join(MONITORING_DIR, 'filebeat.yml'),
    );
    const ndjson = filebeat['filebeat.inputs'][0].parsers.find((p) => p.ndjson)!.ndjson;
    expect(ndjson).toMatchObject({ target: '', expand_keys: true });
    expect(filebeat['output.logstash'].hosts).toEqual(['logstash:5044']);
    expect(readFileSync(join(MONITORING_DIR, 'logstash.conf'), 'utf8')).toMatch(/beats \{\s+port => 5044/);
  });
});

describe.skipIf(await missing('postgres'))("the backend's real log lines carry every field the pipeline, the template and Kibana use", () => {
  let app: AppProcess;
  let db: TestDatabase;
  let collector: Awaited<ReturnType<typeof startReceiver>>;
  let lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ecosyste_elk');
    collector = await startReceiver();
    app = await startApp({
      env: {
        DATABASE_URL: db.url,
        SEED_ON_EMPTY: '5',
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        CACHE_TTL_SECONDS: '1',
        // Tracing on, towards this test's own collector, so that lines carry trace.id.
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_TRACES_SAMPLER: 'always_on',
      },
    });
    await fetch(`${app.url}/api/businesses?limit=2`).then((r) => r.arrayBuffer());
    await fetch(`${app.url}/api/no-such-route`).then((r) => r.arrayBuffer());
    // A server error that is a bug, not an outage (those are 503s logged as one short warning):
    // a botched migration renamed the table the backend reads.
    await new Promise((r) => setTimeout(r, 1100)); // past CACHE_TTL_SECONDS
    await queryOnce(db.url, `ALTER TABLE businesses RENAME TO businesses_renamed`);
    const failed = await fetch(`${app.url}/api/businesses?q=${randomBytes(4).toString('hex')}`);
    expect(failed.status).toBe(500);
    await app.stop();
    lines = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  });

  afterAll(async () => {
    await app?.stop();
    await collector?.close();
    await db?.drop();
  });

  const requestLines = () => lines.filter((l) => l.message === 'request completed' || l.message === 'request failed').map((l) => flatten(l));
  const errorLines = () => lines.filter((l) => l['log.level'] === 'error' && (l as { error?: unknown }).error).map((l) => flatten(l));

  it('every line is one ECS JSON object of the backend', () => {
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines.map((l) => flatten(l))) {
      expect(line.get('service.name')).toBe('ecosyste-backend');
      expect(line.get('ecs.version')).toMatch(/^8\./);
      expect(fitsType('date', line.get('@timestamp'))).toBe(true);
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).toContain(line.get('log.level'));
    }
  });

  it('request lines carry every request field of the index template, with values of the mapped type', () => {
    const fields = mappedFields();
    const requests = requestLines();
    expect(requests.map((r) => r.get('http.response.status_code')).sort()).toEqual(expect.arrayContaining([200, 404]));
    expect(requests.some((r) => Number(r.get('http.response.status_code')) >= 500)).toBe(true);
    const onEveryRequest = [...fields.keys()].filter((f) => !f.startsWith('error.') && f !== 'span.id' && f !== 'process.pid' && f !== 'host.hostname');
    for (const request of requests) {
      for (const field of onEveryRequest) {
        expect(request.has(field), `${field} missing from ${JSON.stringify(Object.fromEntries(request))}`).toBe(true);
        expect(fitsType(fields.get(field)!, request.get(field)), `${field} = ${JSON.stringify(request.get(field))} is not a ${fields.get(field)}`).toBe(true);
      }
    }
    // Mapped fields the backend writes on every line, requests or not.
    for (const line of lines.map((l) => flatten(l))) {
      expect(fitsType('long', line.get('process.pid'))).toBe(true);
      expect(fitsType('keyword', line.get('host.hostname'))).toBe(true);
    }
  });

  it('the 5xx leaves an error line with the error fields of the template and the trace id', () => {
    const fields = mappedFields();
    const errors = errorLines();
    expect(errors.length).toBeGreaterThan(0);
    for (const field of [...fields.keys()].filter((f) => f.startsWith('error.'))) {
      expect(errors.some((e) => e.has(field) && fitsType(fields.get(field)!, e.get(field))), field).toBe(true);
    }
    expect(errors.some((e) => typeof e.get('trace.id') === 'string')).toBe(true);
  });

  it("every column and query field of Kibana's saved searches exists in the lines they show", () => {
    const fields = mappedFields();
    const searches = kibanaObjects().filter((o) => o.type === 'search');
    expect(searches.map((s) => s.id).sort()).toEqual(['ecosyste-backend-errors', 'ecosyste-requests']);
    for (const search of searches) {
      // The lines each search's query selects: request lines, or every error-level line.
      const shown =
        search.id === 'ecosyste-requests'
          ? requestLines()
          : lines.filter((l) => l['log.level'] === 'error' || l['log.level'] === 'fatal').map((l) => flatten(l));
      expect(shown.length, search.id).toBeGreaterThan(0);
      const query = (JSON.parse(search.attributes.kibanaSavedObjectMeta!.searchSourceJSON) as { query: { query: string } }).query.query;
      const queried = [...query.matchAll(/([a-z_.@]+) :/g)].map((m) => m[1]);
      for (const field of [...search.attributes.columns!, ...queried]) {
        expect(fields.has(field), `${search.id}: ${field} is not mapped in the index template`).toBe(true);
        expect(shown.some((l) => l.has(field)), `${search.id}: no line has ${field}`).toBe(true);
      }
    }
    // The data view covers the data streams and sorts on the ECS timestamp.
    const view = kibanaObjects().find((o) => o.type === 'index-pattern')!;
    expect(view.attributes).toMatchObject({ title: 'logs-ecosyste.*-*', timeFieldName: '@timestamp' });
  });

  it("the pipeline's routing condition matches the backend's lines", () => {
    const pipeline = readFileSync(join(MONITORING_DIR, 'logstash.conf'), 'utf8');
    const condition = /if \[service\]\[name\] == "([^"]+)"/.exec(pipeline);
    expect(condition?.[1]).toBe(lines[0]['service.name']);
  });
});
