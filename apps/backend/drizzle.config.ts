import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` turns changes in src/database/schema.ts into a new SQL migration here.
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/backend/src/database/schema.ts',
  out: './apps/backend/drizzle',
});
