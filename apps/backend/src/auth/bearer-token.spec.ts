import { describe, expect, it } from 'vitest';
import { bearerToken, tokensMatch } from './bearer-token';

describe('admin token checks', () => {
  it('matches only the exact token, whatever the lengths', () => {
    expect(tokensMatch('s3cret-token-1234', 's3cret-token-1234')).toBe(true);
    expect(tokensMatch('s3cret-token-1235', 's3cret-token-1234')).toBe(false);
    expect(tokensMatch('s3cret', 's3cret-token-1234')).toBe(false);
    expect(tokensMatch('', 's3cret-token-1234')).toBe(false);
  });

  it('reads a bearer token and nothing else', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
