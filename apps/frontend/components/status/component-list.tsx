import type { StatusReport } from '../../lib/api';
import { COMPONENT_NAMES, STATE_LABELS } from './status-labels';

export function ComponentList({ components }: Pick<StatusReport, 'components'>) {
  return (
    <section aria-labelledby="components-title">
      <h2 id="components-title">Composants</h2>
      <ul className="components">
        {components.map((c) => (
          <li key={c.id} className={`component state-${c.status}`}>
            <span>{COMPONENT_NAMES[c.id]}</span>
            <span className="state">
              <span className="dot" aria-hidden="true" />
              {STATE_LABELS[c.status]}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
