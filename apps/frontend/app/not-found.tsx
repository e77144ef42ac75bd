import Link from 'next/link';

export default function NotFound() {
  return (
    <>
      <h1>Page introuvable</h1>
      <p>Cette adresse ne correspond à aucune page de l&apos;annuaire.</p>
      <p>
        <Link href="/">Retour à l&apos;annuaire</Link>
      </p>
    </>
  );
}
