import { Inject, Injectable } from '@nestjs/common';
import { and, asc, count, eq, sql, SQL } from 'drizzle-orm';
import { DATABASE } from '../database/database.module';
import type { Database } from '../database/database.client';
import { Business, businesses, NewBusiness } from '../database/schema';
import { ListBusinessesQuery } from './dto/list-businesses.query';

/** LIKE treats % and _ as wildcards and \ as its escape: a search for "50%" means the text "50%". */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

@Injectable()
export class BusinessRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async search(query: ListBusinessesQuery): Promise<{ items: Business[]; total: number }> {
    const where = this.filters(query);
    const [items, [{ total }]] = await Promise.all([
      this.db
        .select()
        .from(businesses)
        .where(where)
        .orderBy(asc(businesses.name), asc(businesses.id))
        .limit(query.limit)
        .offset((query.page - 1) * query.limit),
      this.db.select({ total: count() }).from(businesses).where(where),
    ]);
    return { items, total };
  }

  async findById(id: string): Promise<Business | undefined> {
    const [row] = await this.db.select().from(businesses).where(eq(businesses.id, id)).limit(1);
    return row;
  }

  async create(values: NewBusiness): Promise<Business> {
    const [row] = await this.db.insert(businesses).values(values).returning();
    return row;
  }

  async update(id: string, values: Partial<NewBusiness>): Promise<Business | undefined> {
    const [row] = await this.db
      .update(businesses)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(businesses.id, id))
      .returning();
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(businesses).where(eq(businesses.id, id)).returning({ id: businesses.id });
    return rows.length > 0;
  }

  // The expressions match the indexes in schema.ts exactly, or PostgreSQL can't use them.
  private filters({ q, category, city }: ListBusinessesQuery): SQL | undefined {
    return and(
      q
        ? sql`lower(${businesses.name} || ' ' || coalesce(${businesses.description}, '')) like ${`%${escapeLike(q.toLowerCase())}%`}`
        : undefined,
      category ? sql`lower(${businesses.category}) = ${category.toLowerCase()}` : undefined,
      city ? sql`lower(${businesses.city}) = ${city.toLowerCase()}` : undefined,
    );
  }
}
