import type { Incident } from '../../lib/api';
import { duration, formatDateTime } from '../../lib/format';
import { COMPONENT_NAMES } from './status-labels';

const EVENT_LABELS = { firing: 'Incident détecté', resolved: 'Incident résolu' } as const;

export function IncidentList({ title, incidents, empty }: { title: string; incidents: Incident[]; empty: string }) {
  const id = `incidents-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {incidents.length === 0 ? (
        <p className="hint">{empty}</p>
      ) : (
        <ul className="incidents">
          {incidents.map((incident) => (
            <li key={incident.id} className={`incident severity-${incident.severity}`}>
              <h3>{incident.title}</h3>
              <p className="meta">
                <span className="tag">{COMPONENT_NAMES[incident.component]}</span>{' '}
                <span>{incident.severity === 'critical' ? 'Critique' : 'Mineur'}</span>
                {incident.resolvedAt ? <span> · durée {duration(incident.startedAt, incident.resolvedAt)}</span> : <span> · en cours</span>}
              </p>
              <ol className="timeline" aria-label="Chronologie">
                {incident.timeline.map((event) => (
                  <li key={`${event.status}-${event.at}`}>
                    <time dateTime={event.at}>{formatDateTime(event.at)}</time> — {EVENT_LABELS[event.status]}
                  </li>
                ))}
              </ol>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
