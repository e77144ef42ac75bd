'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { type ReactNode, useEffect, useState } from 'react';
import { ApiError, type Business } from '../../lib/api';
import { useJson } from '../../lib/use-json';
import { LAST_SEARCH_KEY } from '../../lib/directory-query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function BusinessDetail() {
  const id = useSearchParams().get('id') ?? '';
  const valid = UUID.test(id);
  const result = useJson<Business>(valid ? `/api/businesses/${id}` : null);
  const [back, setBack] = useState('/');

  useEffect(() => {
    try {
      setBack(sessionStorage.getItem(LAST_SEARCH_KEY) ?? '/');
    } catch {
      // Storage off: back to the directory's start.
    }
  }, []);

  useEffect(() => {
    if (result.state === 'ok') document.title = `${result.data.name} — ECOSYSTE`;
  }, [result]);

  const notFound = !valid || (result.state === 'error' && result.error instanceof ApiError && result.error.status === 404);
  return (
    <article className="detail" aria-busy={result.state === 'loading' && valid}>
      <p>
        <Link href={back} prefetch={false}>
          ← Retour aux résultats
        </Link>
      </p>
      {notFound ? (
        <div className="notice" role="alert">
          <h1>Commerce introuvable</h1>
          <p>Ce commerce n&apos;existe pas ou a été retiré de l&apos;annuaire.</p>
        </div>
      ) : result.state === 'error' ? (
        <div className="notice notice-error" role="alert">
          <h1>Fiche indisponible</h1>
          <p>La fiche de ce commerce n&apos;a pas pu être chargée.</p>
          <button type="button" onClick={result.retry}>
            Réessayer
          </button>
        </div>
      ) : result.state === 'loading' ? (
        <p role="status">Chargement de la fiche…</p>
      ) : (
        <BusinessCard business={result.data} />
      )}
    </article>
  );
}

function BusinessCard({ business: b }: { business: Business }) {
  return (
    <>
      <h1>{b.name}</h1>
      <p className="meta">
        <span className="tag">{b.category}</span> <span>{b.city}</span>
      </p>
      {b.description ? <p className="description">{b.description}</p> : null}
      <dl className="facts">
        {b.address ? <Fact label="Adresse">{`${b.address}, ${b.city}`}</Fact> : null}
        {b.phone ? (
          <Fact label="Téléphone">
            <a href={`tel:${b.phone.replace(/[^+0-9]/g, '')}`}>{b.phone}</a>
          </Fact>
        ) : null}
        {b.email ? (
          <Fact label="Courriel">
            <a href={`mailto:${b.email}`}>{b.email}</a>
          </Fact>
        ) : null}
        {b.website ? (
          <Fact label="Site web">
            <a href={b.website} rel="noopener noreferrer external" target="_blank">
              {b.website.replace(/^https?:\/\//, '')}
              <span className="visually-hidden"> (nouvel onglet)</span>
            </a>
          </Fact>
        ) : null}
      </dl>
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
