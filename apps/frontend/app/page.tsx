import { Suspense } from 'react';
import { Directory } from '../components/directory/directory';

export default function HomePage() {
  return (
    <>
      <h1>Commerces de proximité</h1>
      <p className="lead">Trouvez les boulangeries, librairies, cavistes et autres commerces près de chez vous.</p>
      {/* The search lives in the query string, known only in the browser: the export renders the fallback. */}
      <Suspense fallback={<p role="status">Chargement des commerces…</p>}>
        <Directory />
      </Suspense>
    </>
  );
}
