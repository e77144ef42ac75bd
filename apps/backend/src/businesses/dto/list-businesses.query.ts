import { z } from 'zod';

// Query strings arrive as strings (or arrays when a key repeats, which we refuse).
const positiveInt = (name: string, min: number, max: number) =>
  z
    .string({ message: `${name} must be given once, as an integer` })
    .regex(/^\d{1,9}$/, `must be an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be an integer between ${min} and ${max}`).max(max, `must be an integer between ${min} and ${max}`));

const text = (max: number) =>
  z
    .string({ message: 'must be given once, as text' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/** `GET /api/businesses` query. Unknown parameters are a 400, so typos don't silently do nothing. */
export const listBusinessesQuery = z
  .object({
    // Deep pages cost an OFFSET scan: 10,000 pages of 100 is far beyond what a person pages through.
    page: positiveInt('page', 1, 10_000).default(1),
    limit: positiveInt('limit', 1, 100).default(20),
    q: text(100).optional(),
    category: text(60).optional(),
    city: text(80).optional(),
  })
  .strict();

export type ListBusinessesQuery = z.output<typeof listBusinessesQuery>;
