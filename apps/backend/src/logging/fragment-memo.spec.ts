import { describe, expect, it } from 'vitest';
import { FragmentMemo } from './fragment-memo';

describe('FragmentMemo', () => {
  it('finds what it kept, keeps no long text, and starts over when full', () => {
    const made: string[] = [];
    const memo = new FragmentMemo<string>(2, 5);
    const get = (text: string) => memo.find(text) ?? memo.keep(text, (made.push(text), `<${text}>`));
    expect([get('a'), get('a'), get('b'), get('a')]).toEqual(['<a>', '<a>', '<b>', '<a>']);
    expect(made).toEqual(['a', 'b']);
    // Too long to keep: made every time.
    expect([get('longer'), get('longer')]).toEqual(['<longer>', '<longer>']);
    expect(memo.find('longer')).toBeUndefined();
    // A third text empties the memo (at its 2 entries) before it is kept.
    get('c');
    expect(memo.find('a')).toBeUndefined();
    get('a');
    expect(made).toEqual(['a', 'b', 'longer', 'longer', 'c', 'a']);
  });
});
