import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, IncomingHttpHeaders } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../helpers/free-port';
import { answers200, spawnReady } from '../../helpers/ready-process';
import { MONITORING_DIR, scaleDurations } from './monitoring-files';

/** The test clock runs this many times faster than production: 5m windows become 5s. */
export const TIME_SCALE = 60;

export interface ServiceProcess {
  name: string;
  url: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a daemon and waits until `readyPath` answers 200. */
export async function spawnService(name: string, cmd: string, args: string[], port: number, readyPath: string, env?: NodeJS.ProcessEnv): Promise<ServiceProcess> {
  const url = `http://127.0.0.1:${port}`;
  const proc = await spawnReady(cmd, args, { name, env, ready: answers200(url + readyPath), timeoutMs: 20_000 });
  return {
    name,
    url,
    port,
    output: proc.output,
    stop: async () => {
      await proc.stop();
    },
  };
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  static_configs: { targets: string[] }[];
  authorization?: { type: string; credentials_file: string };
  [key: string]: unknown;
}

export interface PrometheusRender {
  dir: string;
  /** job name -> loopback target, for the jobs this test runs; the other jobs are left out. */
  targets: Record<string, string>;
  alertmanager: string;
  metricsTokenFile: string;
}

/**
 * monitoring/prometheus.yml as the test runs it: the same jobs, auth and rule files, with
 * loopback targets, a 1 s scrape/evaluation interval, and rule files whose durations are divided
 * by TIME_SCALE. Jobs whose exporter this machine doesn't run (nginx, mtail, node, blackbox) are
 * dropped rather than left failing.
 */
export function renderPrometheusConfig(r: PrometheusRender): string {
  const config = parse(readFileSync(join(MONITORING_DIR, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: ScrapeConfig[];
  };
  config.global.scrape_interval = '1s';
  config.global.evaluation_interval = '1s';
  config.global.scrape_timeout = '1s';
  config.alerting.alertmanagers[0].static_configs[0].targets = [r.alertmanager];
  config.scrape_configs = config.scrape_configs
    .filter((s) => r.targets[s.job_name])
    .map((s) => {
      const copy: ScrapeConfig = { ...s, static_configs: [{ targets: [r.targets[s.job_name]] }] };
      if (copy.scrape_interval) copy.scrape_interval = '1s';
      if (copy.authorization) copy.authorization = { ...copy.authorization, credentials_file: r.metricsTokenFile };
      return copy;
    });
  for (const file of config.rule_files) {
    writeFileSync(join(r.dir, file), scaleDurations(readFileSync(join(MONITORING_DIR, file), 'utf8'), TIME_SCALE));
  }
  const path = join(r.dir, 'prometheus.yml');
  writeFileSync(path, stringify(config));
  return path;
}

export interface AlertmanagerRender {
  dir: string;
  receiverUrl: string;
  smtpPort: number;
  secrets: Record<string, string>;
}

const durationKeys = ['group_wait', 'group_interval', 'repeat_interval'];

function scaleRoute(route: Record<string, unknown>): void {
  for (const key of durationKeys) {
    if (typeof route[key] === 'string') route[key] = scaleDurations(`[${route[key]}]`, TIME_SCALE).slice(1, -1);
  }
  for (const child of (route.routes as Record<string, unknown>[] | undefined) ?? []) scaleRoute(child);
}

/**
 * monitoring/alertmanager.yml as the test runs it: the same routes, receivers, inhibitions and
 * templates; every outside address (PagerDuty, Slack, SMTP, dead-man's switch, the backend's
 * incident log) points at the test's own receivers on loopback, the /run/secrets files at files in
 * the temp dir, and the route timings run on the test clock.
 */
export function renderAlertmanagerConfig(r: AlertmanagerRender): string {
  let text = readFileSync(join(MONITORING_DIR, 'alertmanager.yml'), 'utf8').replaceAll('/run/secrets/', `${join(r.dir, 'secrets')}/`);
  mkdirSync(join(r.dir, 'secrets'), { recursive: true });
  for (const [name, value] of Object.entries(r.secrets)) writeFileSync(join(r.dir, 'secrets', name), value);
  text = text
    .replace('https://events.pagerduty.com/v2/enqueue', `${r.receiverUrl}/pagerduty`)
    .replace('https://deadman.ecosyste.com/ping/ecosyste-alertmanager', `${r.receiverUrl}/deadman`)
    .replace('http://backend:3001/api/alerts/webhook', `${r.receiverUrl}/incidents`)
    .replace('smtp.ecosyste.com:587', `127.0.0.1:${r.smtpPort}`)
    .replace('smtp_require_tls: true', 'smtp_require_tls: false');
  const config = parse(text) as { global: Record<string, string>; templates: string[]; route: Record<string, unknown> };
  config.global.resolve_timeout = '5s';
  config.templates = config.templates.map((t) => join(MONITORING_DIR, t));
  scaleRoute(config.route);
  const path = join(r.dir, 'alertmanager.yml');
  writeFileSync(path, stringify(config));
  return path;
}

export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** An HTTP server that records every POST (PagerDuty, Slack, webhooks) and answers 200. */
export async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server = createHttpServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // Slack and PagerDuty send JSON; anything else is kept as text.
      }
      deliveries.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, deliveries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Just enough SMTP for Alertmanager's e-mail notifier (no TLS, no AUTH advertised): keeps each message. */
export async function startSmtpSink(): Promise<{ port: number; messages: string[]; close(): Promise<void> }> {
  const messages: string[] = [];
  const server = createTcpServer((socket) => {
    let buffer = '';
    let inData = false;
    let message = '';
    socket.write('220 localhost ESMTP test sink\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(message);
            message = '';
            socket.write('250 OK queued\r\n');
          } else message += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 localhost\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb === 'QUIT') socket.end('221 Bye\r\n');
        else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

