'use client';

import { FormEvent, useEffect, useRef, useState } from 'react';
import type { DirectoryQuery } from '../../lib/directory-query';
import { SuggestField } from './suggest-field';

// Suggestions only: a business created with another category or city is still found by typing it.
const CATEGORIES = [
  'boulangerie', 'boucherie', 'fromagerie', 'librairie', 'fleuriste', 'restaurant', 'café', 'épicerie', 'coiffeur', 'pharmacie',
  'quincaillerie', 'caviste', 'pâtisserie', 'opticien', 'garage', 'cordonnerie', 'primeur', 'poissonnerie', 'traiteur', 'bijouterie',
];
const CITIES = [
  'Paris', 'Lyon', 'Marseille', 'Toulouse', 'Bordeaux', 'Lille', 'Nantes', 'Strasbourg', 'Montpellier', 'Rennes', 'Grenoble', 'Dijon',
  'Angers', 'Nîmes', 'Tours', 'Annecy', 'Brest', 'Limoges', 'Amiens', 'Perpignan', 'Metz', 'Besançon', 'Orléans', 'Rouen',
];

/** How long typing may pause before the list follows: fast enough to feel live, one request per word. */
export const SEARCH_DEBOUNCE_MS = 300;

interface Props {
  query: DirectoryQuery;
  /** A new search; `replace` for live typing, so the back button skips every keystroke. */
  onSearch(next: DirectoryQuery, mode: 'push' | 'replace'): void;
}

export function SearchForm({ query, onSearch }: Props) {
  const [fields, setFields] = useState({ q: query.q, category: query.category, city: query.city });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL is the truth: back/forward and shared links update the fields.
  useEffect(() => {
    setFields({ q: query.q, category: query.category, city: query.city });
  }, [query.q, query.category, query.city]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const change = (name: keyof typeof fields, value: string) => {
    const next = { ...fields, [name]: value };
    setFields(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onSearch(trimmed(next), 'replace'), SEARCH_DEBOUNCE_MS);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    clearTimeout(timer.current);
    onSearch(trimmed(fields), 'push');
  };

  // A GET form to "/": without JavaScript it still searches, with the same URL.
  return (
    <form role="search" action="/" method="get" onSubmit={submit} className="search-form">
      <div className="field field-wide">
        <label htmlFor="search-q">Rechercher un commerce</label>
        <input
          id="search-q"
          name="q"
          type="search"
          value={fields.q}
          maxLength={100}
          placeholder="Nom, spécialité…"
          autoComplete="off"
          onChange={(e) => change('q', e.target.value)}
        />
      </div>
      <SuggestField
        name="category"
        label="Catégorie"
        value={fields.category}
        maxLength={60}
        suggestions={CATEGORIES}
        onChange={(v) => change('category', v)}
      />
      <SuggestField
        name="city"
        label="Ville"
        value={fields.city}
        maxLength={80}
        suggestions={CITIES}
        autoComplete="address-level2"
        onChange={(v) => change('city', v)}
      />
      <button type="submit">Rechercher</button>
    </form>
  );
}

function trimmed(fields: { q: string; category: string; city: string }): DirectoryQuery {
  return { q: fields.q.trim(), category: fields.category.trim(), city: fields.city.trim(), page: 1 };
}
