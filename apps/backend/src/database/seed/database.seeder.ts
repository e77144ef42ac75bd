import { count } from 'drizzle-orm';
import { Database } from '../database.client';
import { businesses } from '../schema';
import { generateBusiness } from './business-generator';

/** 1,000 rows × 8 columns stays far below PostgreSQL's 65,535 bind-parameter limit. */
const BATCH_SIZE = 1000;

export class DatabaseSeeder {
  constructor(private readonly db: Database) {}

  async seed(total: number, onProgress?: (done: number) => void): Promise<void> {
    for (let start = 0; start < total; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, total);
      const rows = Array.from({ length: end - start }, (_, i) => generateBusiness(start + i));
      await this.db.insert(businesses).values(rows);
      onProgress?.(end);
    }
  }

  async seedIfEmpty(total: number): Promise<boolean> {
    const [{ n }] = await this.db.select({ n: count() }).from(businesses);
    if (n > 0) return false;
    await this.seed(total);
    return true;
  }
}
