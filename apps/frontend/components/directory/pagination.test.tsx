import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Pagination } from './pagination';

const query = { q: 'pain', category: '', city: 'Lyon', page: 2 };

describe('Pagination', () => {
  afterEach(cleanup);

  it('links the neighbouring pages, keeping the search', () => {
    render(<Pagination query={query} total={45} pageSize={20} />);
    expect(screen.getByRole('navigation', { name: 'Pagination' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '← Page précédente' }).getAttribute('href')).toBe('/?q=pain&city=Lyon');
    expect(screen.getByRole('link', { name: 'Page suivante →' }).getAttribute('href')).toBe('/?q=pain&city=Lyon&page=3');
    expect(screen.getByText('Page 2 sur 3').getAttribute('aria-current')).toBe('page');
  });

  it('offers no link past the last page, and nothing at all for a single page', () => {
    render(<Pagination query={{ ...query, page: 3 }} total={45} pageSize={20} />);
    expect(screen.queryByRole('link', { name: 'Page suivante →' })).toBeNull();
    cleanup();
    const { container } = render(<Pagination query={{ ...query, page: 1 }} total={20} pageSize={20} />);
    expect(container.innerHTML).toBe('');
  });
});
