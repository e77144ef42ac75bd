import { describe, expect, it } from 'vitest';
import { businessesApiPath, directoryHref, readDirectoryQuery } from './directory-query';

describe('the directory query in the URL', () => {
  it('reads the page URL, ignoring a nonsensical page number', () => {
    expect(readDirectoryQuery(new URLSearchParams('q=+pain+&city=Lyon&page=3'))).toEqual({ q: 'pain', category: '', city: 'Lyon', page: 3 });
    expect(readDirectoryQuery(new URLSearchParams('page=-2')).page).toBe(1);
    expect(readDirectoryQuery(new URLSearchParams('page=abc')).page).toBe(1);
    expect(readDirectoryQuery(new URLSearchParams('page=99999')).page).toBe(1);
  });

  it('writes short, shareable URLs that read back to the same state', () => {
    expect(directoryHref({ q: '', category: '', city: '', page: 1 })).toBe('/');
    const href = directoryHref({ q: 'pain & vin', category: 'caviste', city: '', page: 2 });
    expect(href).toBe('/?q=pain+%26+vin&category=caviste&page=2');
    expect(readDirectoryQuery(new URL(href, 'http://x').searchParams)).toEqual({ q: 'pain & vin', category: 'caviste', city: '', page: 2 });
  });

  it('asks the API for exactly the filters in use', () => {
    expect(businessesApiPath({ q: 'pain', category: '', city: 'Lyon', page: 2 })).toBe('/api/businesses?page=2&limit=20&q=pain&city=Lyon');
  });
});
