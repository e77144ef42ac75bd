import { describe, expect, it } from 'vitest';
import { createBusinessBody } from '../../businesses/dto/business-body.schema';
import { CATEGORIES, CITIES, generateBusiness } from './business-generator';

describe('generateBusiness', () => {
  it('is deterministic: the same index gives the same business', () => {
    expect(generateBusiness(42)).toEqual(generateBusiness(42));
    expect(generateBusiness(42)).not.toEqual(generateBusiness(43));
  });

  it('produces businesses the API itself would accept, spread over categories and cities', () => {
    const sample = Array.from({ length: 2000 }, (_, i) => generateBusiness(i));
    for (const b of sample.slice(0, 200)) expect(createBusinessBody.safeParse(b).success).toBe(true);
    expect(new Set(sample.map((b) => b.category)).size).toBe(CATEGORIES.length);
    expect(new Set(sample.map((b) => b.city)).size).toBe(CITIES.length);
    expect(new Set(sample.map((b) => b.name)).size).toBe(sample.length);
  });
});
