import Link from 'next/link';
import { DirectoryQuery, directoryHref } from '../../lib/directory-query';

interface Props {
  query: DirectoryQuery;
  total: number;
  pageSize: number;
}

export function Pagination({ query, total, pageSize }: Props) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  const { page } = query;
  return (
    <nav aria-label="Pagination" className="pagination">
      {page > 1 ? (
        <Link href={directoryHref({ ...query, page: page - 1 })} rel="prev" prefetch={false}>
          ← Page précédente
        </Link>
      ) : (
        <span aria-hidden="true" className="disabled">
          ← Page précédente
        </span>
      )}
      <span aria-current="page">
        Page {page} sur {pages}
      </span>
      {page < pages ? (
        <Link href={directoryHref({ ...query, page: page + 1 })} rel="next" prefetch={false}>
          Page suivante →
        </Link>
      ) : (
        <span aria-hidden="true" className="disabled">
          Page suivante →
        </span>
      )}
    </nav>
  );
}
