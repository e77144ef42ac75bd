import type { StatusReport } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import { OVERALL_LABELS } from './status-labels';

export function StatusBanner({ overall, generatedAt }: Pick<StatusReport, 'overall' | 'generatedAt'>) {
  return (
    <div className={`banner banner-${overall}`} role="status">
      <p className="banner-title">
        <span className="dot" aria-hidden="true" />
        {OVERALL_LABELS[overall]}
      </p>
      <p className="banner-time">
        Mis à jour le <time dateTime={generatedAt}>{formatDateTime(generatedAt)}</time>
      </p>
    </div>
  );
}
