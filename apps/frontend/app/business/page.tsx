import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BusinessDetail } from '../../components/business/business-detail';

export const metadata: Metadata = { title: 'Fiche commerce — ECOSYSTE' };

// /business/?id=<uuid>: a static export can't pre-render one page per business, so the id is
// read in the browser and the fiche fetched from the API.
export default function BusinessPage() {
  return (
    <Suspense fallback={<p role="status">Chargement de la fiche…</p>}>
      <BusinessDetail />
    </Suspense>
  );
}
