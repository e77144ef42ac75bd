import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/config.loader';
import { DatabaseClient } from '../database.client';
import { DatabaseSeeder } from './database.seeder';

// `npm run db:seed -- --count N`: appends N deterministic businesses to DATABASE_URL
// (or the embedded database when it is unset).
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { count: { type: 'string', default: '1000' } } });
  const total = Number(values.count);
  if (!Number.isInteger(total) || total < 1 || total > 10_000_000) {
    throw new Error(`--count must be an integer between 1 and 10000000, got ${JSON.stringify(values.count)}`);
  }
  const config = loadConfig();
  const client = await DatabaseClient.connect(config.database);
  const started = Date.now();
  try {
    await new DatabaseSeeder(client.db).seed(total, (done) => {
      if (done % 10_000 === 0 || done === total) process.stdout.write(`seeded ${done}/${total}\n`);
    });
  } finally {
    await client.close();
  }
  process.stdout.write(`done: ${total} businesses in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`db:seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
