import type { Metadata } from 'next';
import { StatusView } from '../../components/status/status-view';

export const metadata: Metadata = {
  title: 'État du service — ECOSYSTE',
  description: "Disponibilité de l'annuaire ECOSYSTE, incidents en cours et passés",
};

export default function StatusPage() {
  return (
    <>
      <h1>État du service</h1>
      <StatusView />
    </>
  );
}
