import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'ECOSYSTE — commerces de proximité',
  description: 'Annuaire des commerces locaux',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1, themeColor: '#1d4ed8' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="fr">
      <body>
        <a href="#contenu" className="skip-link">
          Aller au contenu
        </a>
        <header className="site-header">
          <div className="wrap">
            <Link href="/" className="brand">
              ECOSYSTE
            </Link>
            <nav aria-label="Navigation principale">
              <ul>
                <li>
                  <Link href="/">Annuaire</Link>
                </li>
                <li>
                  <Link href="/status/">État du service</Link>
                </li>
              </ul>
            </nav>
          </div>
        </header>
        <main id="contenu" className="wrap" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="wrap">ECOSYSTE — l&apos;annuaire des commerces de proximité</div>
        </footer>
      </body>
    </html>
  );
}
