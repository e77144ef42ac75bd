import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AvailabilityMeter, BudgetBar, LatencySparkline } from './charts';

describe('status charts', () => {
  afterEach(cleanup);

  it('draws availability on a scale where the objective sits at 90 %, clamping what falls below it', () => {
    const { container } = render(<AvailabilityMeter value={0.9995} objective={0.999} label="24 h" />);
    expect(Number(container.querySelector('.target')?.getAttribute('x1'))).toBeCloseTo(90, 6);
    expect(Number(container.querySelector('.fill')?.getAttribute('width'))).toBeCloseTo(95, 6);
    cleanup();
    const low = render(<AvailabilityMeter value={0.5} objective={0.999} label="24 h" />);
    expect(Number(low.container.querySelector('.fill')?.getAttribute('width'))).toBe(0);
    expect(low.container.querySelector('.fill')?.getAttribute('class')).toContain('tone-bad');
  });

  it('shows no bar without data, and says so', () => {
    const { container } = render(<AvailabilityMeter value={null} objective={0.999} label="Sur 7 jours" />);
    expect(container.querySelector('.fill')).toBeNull();
    expect(screen.getByRole('img', { name: 'Sur 7 jours : pas de données, objectif 99,9 %' })).toBeTruthy();
  });

  it('caps an overspent budget at an empty bar', () => {
    const { container } = render(<BudgetBar remaining={-0.4} />);
    expect(container.querySelectorAll('rect')[1].getAttribute('width')).toBe('0');
    expect(screen.getByRole('img', { name: "Budget d'erreurs restant : 0 %" })).toBeTruthy();
  });

  it('breaks the latency line where an hour had no traffic', () => {
    const points = [0.05, 0.06, null, 0.07, 0.3].map((p95Seconds, i) => ({ at: new Date(Date.UTC(2026, 0, 1, i)).toISOString(), p95Seconds }));
    const { container } = render(<LatencySparkline points={points} threshold={0.2} />);
    const line = container.querySelector('.line')?.getAttribute('d') ?? '';
    expect(line.match(/M/g)).toHaveLength(2);
    expect(container.querySelectorAll('.dot')).toHaveLength(3);
    expect(container.querySelectorAll('.dot-bad')).toHaveLength(1);
  });
});
