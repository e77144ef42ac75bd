import { describe, expect, it } from 'vitest';
import { JsonBytes } from './json-bytes';

// Strings a request line may carry: client-sent paths and user agents above all.
const STRINGS = [
  '',
  'plain',
  '/api/businesses?limit=20',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
  'quote " and backslash \\',
  'controls \u0000\u0007\b\f\n\r\t\u001f and DEL \u007f',
  'café, Ünïcödé, 日本語',
  'emoji 🏪 (a surrogate pair)',
  'lone surrogates \ud800 and \udfff',
  '"}\n{"log.level":"fatal"}',
  'x'.repeat(100_000),
];

const INTEGERS = [0, 7, 10, 200, 503, 1_500_000, 999_999_999_999, Number.MAX_SAFE_INTEGER, -1, 1.5, 2 ** 60];

/** What one write into a fresh buffer of `initialBytes` produces, as text. */
function written(initialBytes: number, write: (out: JsonBytes) => void): string {
  const out = new JsonBytes(initialBytes);
  write(out);
  return out.take().toString('utf8');
}

describe('JsonBytes', () => {
  it('writes every string as JSON.stringify does, in UTF-8', () => {
    for (const text of STRINGS) expect(written(8, (out) => out.string(text))).toBe(JSON.stringify(text));
  });

  it('writes random strings as JSON.stringify does', () => {
    // Printable ASCII most of the time, with the characters that need escaping or more than a byte.
    const alphabet = ['a', 'Z', '0', ' ', '~', '"', '\\', '\n', '\u0001', 'é', '€', '\ud83c', '\udfea'];
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    const out = new JsonBytes(16);
    for (let n = 0; n < 2000; n++) {
      let text = '';
      for (let i = next() % 40; i > 0; i--) text += next() % 4 ? String.fromCharCode(0x20 + (next() % 95)) : alphabet[next() % alphabet.length];
      out.string(text);
      expect(out.take().toString('utf8')).toBe(JSON.stringify(text));
    }
  });

  it('writes integers as JSON does, and anything else through JSON.stringify', () => {
    for (const value of INTEGERS) expect(written(2, (out) => out.integer(value))).toBe(JSON.stringify(value));
  });

  it('joins fragments, raw JSON text and values into one document, and starts again after take()', () => {
    const out = new JsonBytes(4);
    out.bytes(Buffer.from('{"a":'));
    out.string('é"');
    out.raw(',"t":"abc","n":1');
    out.raw(',"u":"ü"');
    out.bytes(Buffer.from(',"b":'));
    out.integer(42);
    out.bytes(Buffer.from('}'));
    expect(out.length).toBe(Buffer.byteLength('{"a":"é\\"","t":"abc","n":1,"u":"ü","b":42}'));
    expect(JSON.parse(out.take().toString('utf8'))).toEqual({ a: 'é"', t: 'abc', n: 1, u: 'ü', b: 42 });
    expect(out.length).toBe(0);
    out.integer(1);
    expect(out.take().toString()).toBe('1');
  });

  it('hands out copies: what was taken does not change when the buffer is written again', () => {
    const out = new JsonBytes(64);
    out.string('first');
    const taken = out.take();
    out.string('second');
    expect(taken.toString()).toBe('"first"');
  });
});
