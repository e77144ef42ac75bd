import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Database } from '../database/database.client';
import { DATABASE } from '../database/database.module';
import { Incident, IncidentEvent, incidentEvents, incidents, NewIncident } from '../database/schema';

@Injectable()
export class IncidentRepository {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Records a new occurrence with its first timeline event; false when it was already known. */
  open(values: Omit<NewIncident, 'status'> & { startedAt: Date }): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(incidents)
        .values({ ...values, status: 'firing' })
        .onConflictDoNothing({ target: [incidents.fingerprint, incidents.startedAt] })
        .returning({ id: incidents.id });
      if (!row) return false;
      await tx.insert(incidentEvents).values({ incidentId: row.id, status: 'firing', at: values.startedAt });
      return true;
    });
  }

  /** Resolves a firing occurrence; false when it was unknown or already resolved. */
  resolve(fingerprint: string, startedAt: Date, resolvedAt: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(incidents)
        .set({ status: 'resolved', resolvedAt, updatedAt: sql`now()` })
        .where(and(eq(incidents.fingerprint, fingerprint), eq(incidents.startedAt, startedAt), eq(incidents.status, 'firing')))
        .returning({ id: incidents.id });
      if (!row) return false;
      await tx.insert(incidentEvents).values({ incidentId: row.id, status: 'resolved', at: resolvedAt });
      return true;
    });
  }

  listOpen(limit: number): Promise<Incident[]> {
    return this.db
      .select()
      .from(incidents)
      .where(eq(incidents.status, 'firing'))
      .orderBy(desc(incidents.startedAt))
      .limit(limit);
  }

  listResolvedSince(since: Date, limit: number): Promise<Incident[]> {
    return this.db
      .select()
      .from(incidents)
      .where(and(eq(incidents.status, 'resolved'), gte(incidents.startedAt, since)))
      .orderBy(desc(incidents.startedAt))
      .limit(limit);
  }

  eventsOf(incidentIds: string[]): Promise<IncidentEvent[]> {
    if (incidentIds.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(incidentEvents)
      .where(inArray(incidentEvents.incidentId, incidentIds))
      .orderBy(asc(incidentEvents.at), asc(incidentEvents.createdAt));
  }
}
