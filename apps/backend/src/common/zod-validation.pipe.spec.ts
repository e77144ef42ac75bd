import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ZodValidationPipe } from './zod-validation.pipe';

function refusal(fn: () => unknown): { message: string; errors: { field: string; rule: string }[] } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return (err as BadRequestException).getResponse() as { message: string; errors: { field: string; rule: string }[] };
  }
  throw new Error('expected a 400');
}

describe('ZodValidationPipe and NUL characters', () => {
  const query = new ZodValidationPipe(z.object({ q: z.string().optional(), page: z.string().optional() }).strict());

  it('refuses U+0000 in a field with a 400 naming it (PostgreSQL text cannot hold it)', () => {
    const body = refusal(() => query.transform({ q: 'a\u0000b' }));
    expect(body.errors).toEqual([{ field: 'q', rule: 'invalid_string', message: 'must not contain the NUL character (U+0000)' }]);
  });

  it('names the param for a single value', () => {
    const id = new ZodValidationPipe(z.string(), 'id');
    expect(refusal(() => id.transform('\u0000')).errors[0].field).toBe('id');
  });

  it('lets every other character through, and reports schema errors first', () => {
    expect(query.transform({ q: 'Chez Dubois 🥐 \u0001 ß' })).toEqual({ q: 'Chez Dubois 🥐 \u0001 ß' });
    expect(refusal(() => query.transform({ q: '\u0000', x: '1' })).errors[0].rule).toBe('unrecognized_keys');
  });
});

describe('ZodValidationPipe.tryTransform', () => {
  const query = new ZodValidationPipe(z.object({ limit: z.string().regex(/^\d+$/).transform(Number).optional(), q: z.string().optional() }).strict());

  it('gives the value transform would give, and undefined wherever transform would throw', () => {
    expect(query.tryTransform({ limit: '05' })).toEqual(query.transform({ limit: '05' }));
    for (const bad of [{ limit: 'x' }, { other: '1' }, { q: 'a\u0000b' }]) {
      expect(query.tryTransform(bad)).toBeUndefined();
      expect(() => query.transform(bad)).toThrow(BadRequestException);
    }
  });
});
