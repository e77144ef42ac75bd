import { z } from 'zod';

const required = (max: number) =>
  z.string({ message: 'must be a string' }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const optional = (max: number) =>
  z.string({ message: 'must be a string or null' }).trim().max(max, `must be at most ${max} characters`).nullable().optional();

const fields = {
  name: required(120),
  category: required(60),
  city: required(80),
  description: optional(2000),
  address: optional(200),
  phone: z
    .string({ message: 'must be a string or null' })
    .trim()
    .regex(/^\+?[0-9 ().-]{6,20}$/, 'must be a phone number (digits, spaces, + ( ) . -)')
    .nullable()
    .optional(),
  email: z.email({ message: 'must be an email address' }).max(254).nullable().optional(),
  website: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .max(300, 'must be at most 300 characters')
    .nullable()
    .optional(),
};

// Only the "not an object" case gets our wording; unknown keys keep zod's, which lists them.
const objectError = { error: (issue: { code: string }) => (issue.code === 'invalid_type' ? 'body must be a JSON object' : undefined) };

/** `POST /api/businesses` body. id and timestamps are the server's: sending them is an error. */
export const createBusinessBody = z.object(fields, objectError).strict();

/** `PATCH /api/businesses/:id` body: any subset of the fields, at least one. */
export const updateBusinessBody = z
  .object(
    { name: fields.name.optional(), category: fields.category.optional(), city: fields.city.optional(), ...pickOptional() },
    objectError,
  )
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'must change at least one field' });

function pickOptional() {
  const { description, address, phone, email, website } = fields;
  return { description, address, phone, email, website };
}

export type CreateBusinessBody = z.output<typeof createBusinessBody>;
export type UpdateBusinessBody = z.output<typeof updateBusinessBody>;
