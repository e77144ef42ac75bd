import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Directory } from './directory';

const navigation = vi.hoisted(() => ({
  params: new URLSearchParams(),
  push: vi.fn(),
  replace: vi.fn(),
}));
vi.mock('next/navigation', () => ({
  useSearchParams: () => navigation.params,
  useRouter: () => ({ push: navigation.push, replace: navigation.replace }),
}));

const business = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  name: `Boulangerie ${n}`,
  category: 'boulangerie',
  city: 'Lyon',
  description: null,
  address: null,
  phone: null,
  email: null,
  website: null,
});

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
}

describe('Directory', () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(() => {
    navigation.params = new URLSearchParams('q=pain&page=2');
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    fetchMock.mockReset();
    sessionStorage.clear();
  });

  it('asks the API for the search in the URL and lists the answer', async () => {
    fetchMock.mockImplementation(() => answer(200, { items: [business(1), business(2)], page: 2, limit: 20, total: 22 }));
    render(<Directory />);
    expect(screen.getByRole('status').textContent).toBe('Chargement des commerces…');
    await screen.findByText('22 commerces trouvés');
    expect(fetchMock.mock.calls[0][0]).toBe('/api/businesses?page=2&limit=20&q=pain');
    // Next adds the export's trailing slash at build time only: either form is the same page.
    expect(screen.getAllByRole('link', { name: /Boulangerie/ }).map((a) => a.getAttribute('href')?.replace('/?', '?'))).toEqual([
      '/business?id=00000000-0000-4000-8000-000000000001',
      '/business?id=00000000-0000-4000-8000-000000000002',
    ]);
    expect(screen.getByText('Page 2 sur 2')).toBeTruthy();
    // The detail page's back link will return here.
    expect(sessionStorage.getItem('ecosyste:last-search')).toBe('/?q=pain&page=2');
  });

  it('says when nothing matches', async () => {
    fetchMock.mockImplementation(() => answer(200, { items: [], page: 1, limit: 20, total: 0 }));
    render(<Directory />);
    await screen.findByText('Aucun commerce ne correspond à cette recherche.');
    expect(screen.queryByRole('list')).toBeNull();
  });

  it('shows an error with a retry that asks again', async () => {
    fetchMock.mockImplementationOnce(() => answer(503, { statusCode: 503, message: 'down' }));
    render(<Directory />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("L'annuaire est momentanément indisponible.");
    fetchMock.mockImplementation(() => answer(200, { items: [business(1)], page: 2, limit: 20, total: 21 }));
    fireEvent.click(screen.getByRole('button', { name: 'Réessayer' }));
    await screen.findByText('21 commerces trouvés');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("passes on the API's reason for a refused search", async () => {
    fetchMock.mockImplementation(() => answer(400, { statusCode: 400, message: 'q: must be at most 100 characters' }));
    render(<Directory />);
    expect((await screen.findByRole('alert')).textContent).toContain('Recherche invalide : q: must be at most 100 characters');
  });

  it('puts a submitted search in the URL', async () => {
    fetchMock.mockImplementation(() => answer(200, { items: [], page: 1, limit: 20, total: 0 }));
    render(<Directory />);
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'fromage' } });
    fireEvent.click(screen.getByRole('button', { name: 'Rechercher' }));
    await waitFor(() => expect(navigation.push).toHaveBeenCalledWith('/?q=fromage', { scroll: false }));
  });
});
