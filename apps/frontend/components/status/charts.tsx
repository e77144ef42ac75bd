// Small inline SVG charts: a few hundred bytes each, where a chart library would cost the page
// more JavaScript than the rest of it. Every chart has a text alternative; colour is never the only cue.
import { formatDay, formatHour, milliseconds, percent } from '../../lib/format';
import { availabilityFloor, availabilityTone } from './status-labels';

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Availability on a scale from ten budgets below the objective to 100 %, with the objective marked. */
export function AvailabilityMeter({ value, objective, label }: { value: number | null; objective: number; label: string }) {
  const low = availabilityFloor(objective);
  const x = (v: number) => clamp01((v - low) / (1 - low)) * 100;
  return (
    <svg className="meter" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={`${label} : ${percent(value)}, objectif ${percent(objective, 1)}`}>
      <rect x="0" y="2" width="100" height="6" className="track" />
      {value !== null ? <rect x="0" y="2" width={x(value)} height="6" className={`fill tone-${availabilityTone(value, objective)}`} /> : null}
      <line x1={x(objective)} x2={x(objective)} y1="0" y2="10" className="target" />
    </svg>
  );
}

/** The error budget left in words, clamped to 0–100 % (an overspent budget reads 0 %). */
export function budgetText(remaining: number | null): string {
  return remaining === null ? 'pas de données' : percent(clamp01(remaining), 0);
}

/** Share of the error budget left, 0 to 100 %. */
export function BudgetBar({ remaining }: { remaining: number | null }) {
  const width = remaining === null ? 0 : clamp01(remaining) * 100;
  const tone = remaining === null ? 'none' : remaining > 0.5 ? 'good' : remaining > 0 ? 'warn' : 'bad';
  return (
    <svg className="meter" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={`Budget d'erreurs restant : ${budgetText(remaining)}`}>
      <rect x="0" y="2" width="100" height="6" className="track" />
      <rect x="0" y="2" width={width} height="6" className={`fill tone-${tone}`} />
    </svg>
  );
}

/** p95 latency per hour over the last day, with the threshold as a dashed line. */
export function LatencySparkline({ points, threshold }: { points: Array<{ at: string; p95Seconds: number | null }>; threshold: number }) {
  const W = 240;
  const H = 60;
  const max = Math.max(threshold * 1.5, ...points.map((p) => p.p95Seconds ?? 0));
  const x = (i: number) => (points.length > 1 ? (i / (points.length - 1)) * W : W / 2);
  const y = (v: number) => H - (v / max) * (H - 4) - 2;
  // Hours without traffic break the line rather than pretending to be zero.
  const path = points
    .map((p, i) => (p.p95Seconds === null ? null : `${i > 0 && points[i - 1].p95Seconds !== null ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.p95Seconds).toFixed(1)}`))
    .filter(Boolean)
    .join(' ');
  const known = points.filter((p) => p.p95Seconds !== null);
  const over = known.filter((p) => (p.p95Seconds ?? 0) > threshold).length;
  const summary = known.length
    ? `Latence p95 heure par heure sur 24 h : ${over === 0 ? 'toujours sous' : `${over} heure(s) au-dessus de`} ${milliseconds(threshold)}`
    : 'Latence p95 sur 24 h : pas de données';
  // The chart stretches to its box; strokes that don't scale keep lines thin and dots round.
  return (
    <svg className="sparkline" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary}>
      <line x1="0" x2={W} y1={y(threshold)} y2={y(threshold)} className="target" strokeDasharray="4 3" />
      {path ? <path d={path} className="line" /> : null}
      {points.map((p, i) =>
        p.p95Seconds === null ? null : (
          <path key={p.at} d={`M${x(i).toFixed(1)},${y(p.p95Seconds).toFixed(1)}h0`} className={p.p95Seconds > threshold ? 'dot-bad' : 'dot'}>
            <title>{`${formatHour(p.at)} : ${milliseconds(p.p95Seconds)}`}</title>
          </path>
        ),
      )}
    </svg>
  );
}

/** One bar per day, coloured by that day's availability against the objective. */
export function DailyBars({ days, objective }: { days: Array<{ at: string; availability: number | null }>; objective: number }) {
  const W = 300;
  const H = 34;
  const step = W / days.length;
  const tones = days.map((d) => availabilityTone(d.availability, objective));
  const count = (t: string) => tones.filter((x) => x === t).length;
  const summary = `${days.length} derniers jours : ${count('good')} jour(s) à l'objectif, ${count('warn') + count('bad')} en dessous, ${count('none')} sans données`;
  return (
    <svg className="daily-bars" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary}>
      {days.map((d, i) => (
        <rect key={d.at} x={i * step + 1} y="0" width={step - 2} height={H} rx="1.5" className={`tone-${tones[i]}`}>
          <title>{`${formatDay(d.at)} : ${percent(d.availability)}`}</title>
        </rect>
      ))}
    </svg>
  );
}
