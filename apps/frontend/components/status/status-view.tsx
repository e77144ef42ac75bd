'use client';

import type { StatusReport } from '../../lib/api';
import { useJson } from '../../lib/use-json';
import { ComponentList } from './component-list';
import { IncidentList } from './incident-list';
import { SloSection } from './slo-section';
import { StatusBanner } from './status-banner';

/** Once a minute: the figures are hourly and daily; faster polling only adds load. */
const REFRESH_MS = 60_000;

export function StatusView() {
  const result = useJson<StatusReport>('/api/status', REFRESH_MS);
  const report = result.data;
  if (!report) {
    return result.state === 'error' ? (
      <div role="alert" className="notice notice-error">
        <p>L&apos;état du service n&apos;a pas pu être chargé : le service est peut-être indisponible.</p>
        <button type="button" onClick={result.retry}>
          Réessayer
        </button>
      </div>
    ) : (
      <p role="status">Chargement de l&apos;état du service…</p>
    );
  }
  return (
    <>
      <StatusBanner overall={report.overall} generatedAt={report.generatedAt} />
      {result.state === 'error' ? (
        <p role="alert" className="notice notice-error">
          La dernière actualisation a échoué ; les informations ci-dessous peuvent dater.
        </p>
      ) : null}
      <ComponentList components={report.components} />
      {report.incidents ? (
        <>
          <IncidentList title="Incidents en cours" incidents={report.incidents.open} empty="Aucun incident en cours." />
          <SloSection slo={report.slo} />
          <IncidentList title="Incidents passés (90 jours)" incidents={report.incidents.past} empty="Aucun incident ces 90 derniers jours." />
        </>
      ) : (
        <>
          <p className="notice">L&apos;historique des incidents est momentanément indisponible.</p>
          <SloSection slo={report.slo} />
        </>
      )}
    </>
  );
}
