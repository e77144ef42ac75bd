'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo } from 'react';
import { ApiError, type BusinessPage } from '../../lib/api';
import { businessesApiPath, DirectoryQuery, directoryHref, LAST_SEARCH_KEY, PAGE_SIZE, readDirectoryQuery } from '../../lib/directory-query';
import { useJson } from '../../lib/use-json';
import { BusinessList } from './business-list';
import { Pagination } from './pagination';
import { SearchForm } from './search-form';

export function Directory() {
  const params = useSearchParams();
  const router = useRouter();
  const query = useMemo(() => readDirectoryQuery(params), [params]);
  const result = useJson<BusinessPage>(businessesApiPath(query));

  const href = directoryHref(query);
  useEffect(() => {
    try {
      sessionStorage.setItem(LAST_SEARCH_KEY, href);
    } catch {
      // Storage can be off (private modes); the back link then goes to the directory's start.
    }
  }, [href]);

  const search = useCallback(
    (next: DirectoryQuery, mode: 'push' | 'replace') => {
      const target = directoryHref(next);
      if (target === href) return;
      if (mode === 'push') router.push(target, { scroll: false });
      else router.replace(target, { scroll: false });
    },
    [router, href],
  );

  const data = result.data;
  return (
    <>
      <SearchForm query={query} onSearch={search} />
      <section aria-labelledby="results-title" aria-busy={result.state === 'loading'} className="results">
        <h2 id="results-title" className="visually-hidden">
          Résultats
        </h2>
        <p role="status" className="result-count">
          {result.state === 'loading' && !data ? 'Chargement des commerces…' : null}
          {data ? countText(data.total) : null}
        </p>
        {result.state === 'error' ? (
          <div role="alert" className="notice notice-error">
            <p>
              {result.error instanceof ApiError && result.error.status === 400 && result.error.message
                ? `Recherche invalide : ${result.error.message}`
                : "L'annuaire est momentanément indisponible."}
            </p>
            <button type="button" onClick={result.retry}>
              Réessayer
            </button>
          </div>
        ) : null}
        {data && data.total === 0 ? (
          <div className="notice">
            <p>Aucun commerce ne correspond à cette recherche.</p>
            <p>Essayez un autre mot, ou retirez un filtre.</p>
          </div>
        ) : null}
        {data && data.items.length > 0 ? <BusinessList items={data.items} /> : null}
        {data ? <Pagination query={query} total={data.total} pageSize={PAGE_SIZE} /> : null}
      </section>
    </>
  );
}

function countText(total: number): string {
  if (total === 0) return 'Aucun résultat';
  return total === 1 ? '1 commerce trouvé' : `${total.toLocaleString('fr-FR')} commerces trouvés`;
}
