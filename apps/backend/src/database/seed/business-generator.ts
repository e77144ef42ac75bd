import { NewBusiness } from '../schema';

// Deterministic: the same index always yields the same business, so benchmarks and
// screenshots are reproducible and two seeds of N rows are identical.

export const CATEGORIES = [
  'boulangerie', 'boucherie', 'fromagerie', 'librairie', 'fleuriste', 'restaurant', 'café',
  'épicerie', 'coiffeur', 'pharmacie', 'quincaillerie', 'caviste', 'pâtisserie', 'opticien',
  'garage', 'cordonnerie', 'primeur', 'poissonnerie', 'traiteur', 'bijouterie',
] as const;

export const CITIES = [
  'Paris', 'Lyon', 'Marseille', 'Toulouse', 'Bordeaux', 'Lille', 'Nantes', 'Strasbourg',
  'Montpellier', 'Rennes', 'Grenoble', 'Dijon', 'Angers', 'Nîmes', 'Tours', 'Annecy',
  'Brest', 'Limoges', 'Amiens', 'Perpignan', 'Metz', 'Besançon', 'Orléans', 'Rouen',
] as const;

const FIRST = ['Chez', 'Maison', 'Atelier', 'Au', 'La Boutique de', "L'Échoppe de", 'Le Comptoir de', 'Les Délices de'];
const OWNER = [
  'Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau',
  'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier',
  'Morel', 'Girard', 'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand',
];
const STREETS = ['rue de la République', 'avenue Jean Jaurès', 'place du Marché', 'rue Victor Hugo', 'boulevard Gambetta', 'rue des Halles', 'rue Pasteur', 'quai des Orfèvres'];
const QUALITIES = ['artisanal', 'de saison', 'bio', 'local', 'fait maison', 'de tradition', 'sur mesure', 'du terroir'];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateBusiness(index: number): NewBusiness {
  const rand = mulberry32(index + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const category = pick(CATEGORIES);
  const city = pick(CITIES);
  const owner = pick(OWNER);
  const name = `${pick(FIRST)} ${owner} ${index + 1}`;
  const quality = pick(QUALITIES);
  const phone = `0${1 + Math.floor(rand() * 5)} ${Array.from({ length: 4 }, () => String(Math.floor(rand() * 100)).padStart(2, '0')).join(' ')}`;
  const domain = `${slug(owner)}-${index + 1}.fr`;
  return {
    name,
    category,
    city,
    description: `${category[0].toUpperCase()}${category.slice(1)} ${quality} à ${city}, tenu par la famille ${owner}.`,
    address: `${1 + Math.floor(rand() * 120)} ${pick(STREETS)}, ${city}`,
    phone,
    email: `contact@${domain}`,
    website: `https://www.${domain}`,
  };
}
