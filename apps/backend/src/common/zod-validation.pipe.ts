import { BadRequestException, PipeTransform } from '@nestjs/common';
import { z } from 'zod';

export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/**
 * Validates one request part (query, body or a param) against a zod schema. The 400 names each
 * failing field and the rule it broke, so a client can fix its request without reading our code.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** For a single param (`:id`), the name to report; objects report their own keys. */
    private readonly field?: string,
  ) {}

  /** The valid value, or undefined where `transform` would throw: for callers that leave the 400 to it. */
  tryTransform(value: unknown): z.output<S> | undefined {
    const result = this.schema.safeParse(value);
    return result.success && fieldWithNul(result.data, this.field) === undefined ? result.data : undefined;
  }

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) {
      const nul = fieldWithNul(result.data, this.field);
      if (nul === undefined) return result.data;
      // PostgreSQL text cannot hold U+0000: the query would fail with a 500 (found by the fuzz test).
      throw badRequest([{ field: nul, rule: 'invalid_string', message: 'must not contain the NUL character (U+0000)' }]);
    }
    throw badRequest(
      result.error.issues.map((issue) => ({
        field: fieldName(issue, this.field),
        rule: issue.code,
        message: issue.message,
      })),
    );
  }
}

function badRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
}

/** The validated values are flat (a param, or an object of scalars): only their top level can carry text. */
function fieldWithNul(data: unknown, fallback?: string): string | undefined {
  if (typeof data === 'string') return data.includes('\u0000') ? (fallback ?? 'value') : undefined;
  if (data === null || typeof data !== 'object') return undefined;
  // A plain loop: this runs on every request with a query (the cached list's included).
  for (const key in data) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.includes('\u0000')) return key;
  }
  return undefined;
}

function fieldName(issue: z.core.$ZodIssue, fallback?: string): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.join(', ');
  const path = issue.path.map(String).join('.');
  return path || fallback || 'body';
}
