import type { ComponentId, ComponentState, StatusReport } from '../../lib/api';

export const COMPONENT_NAMES: Record<ComponentId, string> = {
  api: 'API et site web',
  database: 'Base de données',
  cache: 'Cache',
};

export const STATE_LABELS: Record<ComponentState, string> = {
  operational: 'Opérationnel',
  degraded: 'Dégradé',
  down: 'En panne',
};

export const OVERALL_LABELS: Record<StatusReport['overall'], string> = {
  operational: 'Tous les services fonctionnent normalement',
  degraded: 'Service perturbé',
  major_outage: 'Panne majeure en cours',
};

/** Ten error budgets below the objective: the bottom of the meters and the edge between amber and red. */
export function availabilityFloor(objective: number): number {
  return 1 - (1 - objective) * 10;
}

/** Green when the objective is met, amber within ten times the budget, red below. */
export function availabilityTone(value: number | null, objective: number): 'good' | 'warn' | 'bad' | 'none' {
  if (value === null) return 'none';
  if (value >= objective) return 'good';
  return value >= availabilityFloor(objective) ? 'warn' : 'bad';
}
