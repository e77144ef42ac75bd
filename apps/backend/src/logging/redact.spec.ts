import { describe, expect, it } from 'vitest';
import { redactSecrets, safeUrl } from './redact';

describe('redactSecrets', () => {
  it.each([
    ['connect failed: postgresql://ecosyste:s3cr3t-pw@db:5432/ecosyste', 's3cr3t-pw', 'postgresql://[REDACTED]@db:5432/ecosyste'],
    ['redis://:r3dis-pw@cache:6379/0 unreachable', 'r3dis-pw', 'redis://[REDACTED]@cache:6379/0'],
    ['header was Bearer abc.def-123', 'abc.def-123', 'Bearer [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz', 'Basic [REDACTED]'],
    ['login with password=hunter22 failed', 'hunter22', 'password=[REDACTED]'],
    ['{"token":"tok-999"}', 'tok-999', '"token":"[REDACTED]"'],
  ])('scrubs %j', (input, secret, expected) => {
    const out = redactSecrets(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(expected);
  });

  it('leaves ordinary text untouched (and URLs without credentials)', () => {
    expect(redactSecrets('request completed')).toBe('request completed');
    expect(redactSecrets('see https://ecosyste.com/api/businesses')).toBe('see https://ecosyste.com/api/businesses');
  });
});

describe('safeUrl', () => {
  it('masks secret-looking query values and keeps the rest', () => {
    expect(safeUrl('/api/businesses?q=pain&token=abc&api_key=k&page=2')).toBe('/api/businesses?q=pain&token=[REDACTED]&api_key=[REDACTED]&page=2');
    expect(safeUrl('/api/businesses')).toBe('/api/businesses');
    expect(safeUrl('/api/businesses?q=pain&page=2')).toBe('/api/businesses?q=pain&page=2');
    // A secret-looking word in a value or the path is not a secret parameter.
    expect(safeUrl('/api/keys?q=monkey&city=Pau')).toBe('/api/keys?q=monkey&city=Pau');
    expect(safeUrl('/api/x?q=1&Session=abc')).toBe('/api/x?q=1&Session=[REDACTED]');
  });
});
