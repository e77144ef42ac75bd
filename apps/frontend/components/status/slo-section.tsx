import type { StatusReport } from '../../lib/api';
import { formatDateTime, milliseconds, percent } from '../../lib/format';
import { AvailabilityMeter, BudgetBar, budgetText, DailyBars, LatencySparkline } from './charts';

const WINDOWS = [
  ['24h', '24 heures'],
  ['7d', '7 jours'],
  ['30d', '30 jours'],
] as const;

export function SloSection({ slo }: Pick<StatusReport, 'slo'>) {
  const p95 = slo.latency.p95Seconds;
  return (
    <section aria-labelledby="slo-title">
      <h2 id="slo-title">Disponibilité et performance</h2>
      <p className="hint">
        Objectif : {percent(slo.objective, 1)} des requêtes réussies et une latence p95 sous {milliseconds(slo.latency.thresholdSeconds)}.
        {slo.source === 'process' && slo.since ? ` Mesures depuis le ${formatDateTime(slo.since)}.` : null}
      </p>
      <div className="tiles">
        {WINDOWS.map(([key, label]) => (
          <div className="tile" key={key}>
            <h3>Sur {label}</h3>
            <p className="figure">{percent(slo.availability[key])}</p>
            <AvailabilityMeter value={slo.availability[key]} objective={slo.objective} label={`Disponibilité sur ${label}`} />
          </div>
        ))}
        <div className="tile">
          <h3>Budget d&apos;erreurs (30 jours)</h3>
          <p className="figure">{budgetText(slo.errorBudgetRemaining)}</p>
          <BudgetBar remaining={slo.errorBudgetRemaining} />
        </div>
        <div className="tile tile-wide">
          <h3>Latence p95 (24 heures)</h3>
          <p className="figure">
            {milliseconds(p95)}
            {p95 !== null ? (
              <span className={p95 <= slo.latency.thresholdSeconds ? 'verdict-good' : 'verdict-bad'}>
                {p95 <= slo.latency.thresholdSeconds ? ' — sous le seuil' : ' — au-dessus du seuil'}
              </span>
            ) : null}
          </p>
          <LatencySparkline points={slo.hourly} threshold={slo.latency.thresholdSeconds} />
          <p className="axis" aria-hidden="true">
            <span>il y a 24 h</span>
            <span>- - - seuil {milliseconds(slo.latency.thresholdSeconds)}</span>
            <span>maintenant</span>
          </p>
        </div>
        <div className="tile tile-wide">
          <h3>Disponibilité jour par jour (30 jours)</h3>
          <DailyBars days={slo.daily} objective={slo.objective} />
          <p className="axis" aria-hidden="true">
            <span>il y a 30 jours</span>
            <span>aujourd&apos;hui</span>
          </p>
        </div>
      </div>
    </section>
  );
}
