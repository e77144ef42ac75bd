/** The directory's state, kept in the URL so a search can be shared and survives a reload. */
export interface DirectoryQuery {
  q: string;
  category: string;
  city: string;
  page: number;
}

export const PAGE_SIZE = 20;

/** The detail page's "back to results" returns to the last search the directory showed. */
export const LAST_SEARCH_KEY = 'ecosyste:last-search';

interface ParamsLike {
  get(name: string): string | null;
}

export function readDirectoryQuery(params: ParamsLike): DirectoryQuery {
  const page = Number(params.get('page'));
  return {
    q: params.get('q')?.trim() ?? '',
    category: params.get('category')?.trim() ?? '',
    city: params.get('city')?.trim() ?? '',
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
  };
}

/** The page's own query string: empty fields and page 1 are left out, so URLs stay short. */
export function directoryHref(query: DirectoryQuery): string {
  const params = new URLSearchParams();
  setFilters(params, query);
  if (query.page > 1) params.set('page', String(query.page));
  const qs = params.toString();
  return qs ? `/?${qs}` : '/';
}

/** The API call for a directory state. */
export function businessesApiPath(query: DirectoryQuery): string {
  const params = new URLSearchParams({ page: String(query.page), limit: String(PAGE_SIZE) });
  setFilters(params, query);
  return `/api/businesses?${params}`;
}

/** The filters that are set; an empty one is left out rather than sent as `q=`. */
function setFilters(params: URLSearchParams, query: DirectoryQuery): void {
  if (query.q) params.set('q', query.q);
  if (query.category) params.set('category', query.category);
  if (query.city) params.set('city', query.city);
}
