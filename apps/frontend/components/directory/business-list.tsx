import Link from 'next/link';
import type { Business } from '../../lib/api';

export function BusinessList({ items }: { items: Business[] }) {
  return (
    <ul className="business-list">
      {items.map((b) => (
        <li key={b.id} className="card">
          <h2>
            <Link href={`/business/?id=${b.id}`} prefetch={false}>
              {b.name}
            </Link>
          </h2>
          <p className="meta">
            <span className="tag">{b.category}</span> <span>{b.city}</span>
          </p>
          {b.description ? <p className="description">{b.description}</p> : null}
        </li>
      ))}
    </ul>
  );
}
