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

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const errors: FieldError[] = result.error.issues.map((issue) => ({
      field: fieldName(issue, this.field),
      rule: issue.code,
      message: issue.message,
    }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    });
  }
}

function fieldName(issue: z.core.$ZodIssue, fallback?: string): string {
  if (issue.code === 'unrecognized_keys') return issue.keys.join(', ');
  const path = issue.path.map(String).join('.');
  return path || fallback || 'body';
}
