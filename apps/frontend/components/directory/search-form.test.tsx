import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS, SearchForm } from './search-form';

const empty = { q: '', category: '', city: '', page: 3 };

describe('SearchForm', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('has a labelled search box and labelled filters', () => {
    render(<SearchForm query={empty} onSearch={() => undefined} />);
    expect(screen.getByRole('searchbox', { name: 'Rechercher un commerce' })).toBeTruthy();
    expect(screen.getByLabelText('Catégorie').getAttribute('list')).toBe('category-suggestions');
    expect(screen.getByLabelText('Ville').getAttribute('list')).toBe('city-suggestions');
    expect(screen.getByRole('search')).toBeTruthy();
  });

  it('searches once typing pauses, replacing the history entry, back on page 1', () => {
    const onSearch = vi.fn();
    render(<SearchForm query={empty} onSearch={onSearch} />);
    const box = screen.getByRole('searchbox');
    fireEvent.change(box, { target: { value: 'fro' } });
    fireEvent.change(box, { target: { value: 'fromage ' } });
    act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS - 1));
    expect(onSearch).not.toHaveBeenCalled();
    act(() => vi.advanceTimersByTime(1));
    expect(onSearch).toHaveBeenCalledTimes(1);
    expect(onSearch).toHaveBeenCalledWith({ q: 'fromage', category: '', city: '', page: 1 }, 'replace');
  });

  it('searches at once on submit, as a new history entry', () => {
    const onSearch = vi.fn();
    render(<SearchForm query={empty} onSearch={onSearch} />);
    fireEvent.change(screen.getByLabelText('Ville'), { target: { value: ' Lyon ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Rechercher' }));
    expect(onSearch).toHaveBeenCalledWith({ q: '', category: '', city: 'Lyon', page: 1 }, 'push');
    // The pending live search was cancelled: no second call.
    act(() => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS * 2));
    expect(onSearch).toHaveBeenCalledTimes(1);
  });

  it('follows the URL when it changes (back button, shared link)', () => {
    const { rerender } = render(<SearchForm query={empty} onSearch={() => undefined} />);
    rerender(<SearchForm query={{ ...empty, q: 'librairie' }} onSearch={() => undefined} />);
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('librairie');
  });
});
