import { AppProcess, startApp } from '../../helpers/app-process';
import { createTestDatabase, TestDatabase } from '../../helpers/test-database';

export const ADMIN_TOKEN = 'web-admin-token-0123456789';
export const WEBHOOK_TOKEN = 'web-alert-token-0123456789';

export interface WebApp {
  app: AppProcess;
  database: TestDatabase;
  /** POST /api/businesses with the admin token; returns the created row. */
  createBusiness(body: Record<string, string>): Promise<{ id: string; name: string }>;
  stop(): Promise<void>;
}

/** The built app as `npm start` runs it (web UI served next to the API) on a fresh PostgreSQL database. */
export async function startWebApp(): Promise<WebApp> {
  const database = await createTestDatabase('ecosyste_web');
  const app = await startApp({
    env: {
      SERVE_FRONTEND: 'true',
      DATABASE_URL: database.url,
      API_ADMIN_TOKEN: ADMIN_TOKEN,
      ALERT_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
    },
  });
  return {
    app,
    database,
    createBusiness: async (body) => {
      const res = await fetch(`${app.url}/api/businesses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; name: string };
    },
    stop: async () => {
      await app.stop();
      await database.drop();
    },
  };
}
