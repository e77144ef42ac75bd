import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const businesses = pgTable(
  'businesses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    city: text('city').notNull(),
    description: text('description'),
    address: text('address'),
    phone: text('phone'),
    email: text('email'),
    website: text('website'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    // The list is ordered by (name, id); each filter gets the same order as its suffix so
    // "filter + order + limit" is one index range scan, never a sort of the whole table.
    index('businesses_name_id_idx').on(t.name, t.id),
    index('businesses_category_name_id_idx').on(sql`lower(${t.category})`, t.name, t.id),
    index('businesses_city_name_id_idx').on(sql`lower(${t.city})`, t.name, t.id),
    // Substring search over name and description (ILIKE '%q%') needs trigrams.
    index('businesses_search_trgm_idx').using(
      'gin',
      sql`(lower(${t.name} || ' ' || coalesce(${t.description}, ''))) gin_trgm_ops`,
    ),
  ],
);

export type Business = typeof businesses.$inferSelect;
export type NewBusiness = typeof businesses.$inferInsert;

export const schema = { businesses };
