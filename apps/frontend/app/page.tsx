export default function HomePage() {
  return (
    <main>
      <h1>ECOSYSTE</h1>
      <p>L&apos;annuaire des commerces de proximité.</p>
    </main>
  );
}
