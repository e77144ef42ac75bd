import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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

/**
 * Incidents shown on the public status page, recorded from Alertmanager's webhook. One row per
 * alert occurrence: Alertmanager identifies an alert by its fingerprint, and a new occurrence of the
 * same alert gets a new startsAt, so (fingerprint, started_at) is the natural key that makes repeated
 * and duplicated notifications (HA Alertmanager pairs both send) idempotent.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    fingerprint: text('fingerprint').notNull(),
    alertName: text('alert_name').notNull(),
    severity: text('severity').notNull(),
    /** 'api' | 'database' | 'cache': the status page component the alert concerns. */
    component: text('component').notNull(),
    /** Public wording only: never an alert's raw summary, which may name hosts. */
    title: text('title').notNull(),
    /** 'firing' | 'resolved' */
    status: text('status').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('incidents_fingerprint_started_at_idx').on(t.fingerprint, t.startedAt),
    // The page reads "open ones, then the latest resolved ones".
    index('incidents_status_started_at_idx').on(t.status, t.startedAt),
    check('incidents_status_check', sql`${t.status} in ('firing', 'resolved')`),
  ],
);

/** The timeline of an incident: when it fired and when it was resolved. */
export const incidentEvents = pgTable(
  'incident_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    /** 'firing' | 'resolved' */
    status: text('status').notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    index('incident_events_incident_id_at_idx').on(t.incidentId, t.at),
    check('incident_events_status_check', sql`${t.status} in ('firing', 'resolved')`),
  ],
);

export type Incident = typeof incidents.$inferSelect;
export type NewIncident = typeof incidents.$inferInsert;
export type IncidentEvent = typeof incidentEvents.$inferSelect;

export const schema = { businesses, incidents, incidentEvents };
