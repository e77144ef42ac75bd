import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-id';

const req = (header?: string) => ({ headers: header === undefined ? {} : { 'x-request-id': header } }) as unknown as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('keeps a valid incoming X-Request-Id', () => {
    expect(requestIdFor(req('edge-42.abc:7'))).toBe('edge-42.abc:7');
  });

  it.each([undefined, '', 'has space', 'x'.repeat(129), 'inject\nline', '{"json":1}'])('generates a UUID instead of %j', (header) => {
    expect(requestIdFor(req(header))).toMatch(UUID);
  });
});
