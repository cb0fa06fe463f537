import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAnsi, type AnsiRun } from '../../web/src/components/ansi.js';

const E = '\u001b[';

/** The runs of a line as `text → classes / style`, for short, readable expectations. */
function runs(line: string): Array<[string, string, AnsiRun['style']?]> {
  return parseAnsi(line).map((r) => (r.style ? [r.text, r.classes.join(' '), r.style] : [r.text, r.classes.join(' ')]));
}

describe('log viewer ANSI: parsed tokens → classes and CSSOM colours', () => {
  test('basic and bright foregrounds are theme classes; reset 0 and 39 clear them', () => {
    assert.deepEqual(runs(`a ${E}31mred${E}0m ${E}91mbright${E}39m plain`), [
      ['a ', ''],
      ['red', 'ansi-red'],
      [' ', ''],
      ['bright', 'ansi-bright-red'],
      [' plain', ''],
    ]);
  });

  test('background codes set the background, not the text colour; 49 clears it', () => {
    assert.deepEqual(runs(`${E}41mbg${E}49m ${E}103mbright-bg${E}0m`), [
      ['bg', 'ansi-bg-red'],
      [' ', ''],
      ['bright-bg', 'ansi-bg-bright-yellow'],
    ]);
  });

  test('256-colour: palette 0–15 are the theme colours, 16–255 exact values, fg and bg', () => {
    assert.deepEqual(runs(`${E}38;5;1mt1${E}48;5;9mt9${E}0m`), [
      ['t1', 'ansi-red'],
      ['t9', 'ansi-red ansi-bg-bright-red'],
    ]);
    assert.deepEqual(runs(`${E}38;5;208morange${E}0m${E}48;5;21mblue${E}0m${E}38;5;232mgrey`), [
      ['orange', '', { color: '#ff8700' }],
      ['blue', '', { backgroundColor: '#0000ff' }],
      ['grey', '', { color: '#080808' }],
    ]);
  });

  test('truecolour, fg and bg, as exact values; out-of-range values mean the default', () => {
    assert.deepEqual(runs(`${E}38;2;10;200;30;48;2;1;2;3mrgb${E}0m${E}38;5;300mbad${E}38;2;300;0;0mbad2`), [
      ['rgb', '', { color: '#0ac81e', backgroundColor: '#010203' }],
      ['bad', ''],
      ['bad2', ''],
    ]);
  });

  test('the colour codes are not misread as basic colours (38;2;…;30 is not black, 38;5;31 not red)', () => {
    assert.deepEqual(runs(`${E}38;2;30;31;32mx${E}0m${E}38;5;31my`), [
      ['x', '', { color: '#1e1f20' }],
      ['y', '', { color: '#0087af' }],
    ]);
  });

  test('attributes: bold, dim, italic, underline, strikethrough, and their resets', () => {
    assert.deepEqual(runs(`${E}1;3;4mx${E}22;23;24my${E}2;9mz${E}22;29mw`), [
      ['x', 'ansi-bold ansi-italic ansi-underline'],
      ['y', ''],
      ['z', 'ansi-dim ansi-strikethrough'],
      ['w', ''],
    ]);
  });

  test('inverse swaps the colours; a default one swapped is the inverse-default class', () => {
    assert.deepEqual(runs(`${E}7mplain${E}31mred${E}44mon-blue${E}0m${E}7;38;2;10;200;30mrgb${E}27mback`), [
      ['plain', 'ansi-inverse-default ansi-bg-inverse-default'],
      ['red', 'ansi-inverse-default ansi-bg-red'],
      ['on-blue', 'ansi-blue ansi-bg-red'],
      ['rgb', 'ansi-inverse-default', { backgroundColor: '#0ac81e' }],
      ['back', '', { color: '#0ac81e' }],
    ]);
  });

  test('ESC[m resets like ESC[0m; an empty parameter is 0', () => {
    assert.deepEqual(runs(`${E}31mred${E}mplain${E}1;;32mgreen`), [
      ['red', 'ansi-red'],
      ['plain', ''],
      ['green', 'ansi-green'],
    ]);
  });

  test('the codes of one sequence apply in order (a reset after a set wins)', () => {
    assert.deepEqual(runs(`${E}1;22;31;39mx${E}0;1;38;5;208;48;2;1;2;3;4my`), [
      ['x', ''],
      ['y', 'ansi-bold ansi-underline', { color: '#ff8700', backgroundColor: '#010203' }],
    ]);
  });

  test('other escapes and controls are dropped without eating text (cursor moves, erase, OSC, \\r)', () => {
    assert.deepEqual(runs(`${E}2K${E}1Gdownloading 5m${E}?25l \u001b]0;title\u0007done\r ${E}32mok${E}0m`), [
      ['downloading 5m done ', ''],
      ['ok', 'ansi-green'],
    ]);
    assert.deepEqual(runs(`tab\tkept \u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\ ${E}12`), [['tab\tkept link 12', '']]);
    assert.deepEqual(runs(`${E}38:5:208mcolon form is dropped`), [['colon form is dropped', '']]);
  });

  test('markup stays text; each line starts with default attributes; an empty line has no run', () => {
    assert.deepEqual(runs(`${E}31m<img src=x onerror=alert(1)>`), [['<img src=x onerror=alert(1)>', 'ansi-red']]);
    assert.deepEqual(runs('next line'), [['next line', '']]);
    assert.deepEqual(runs(`${E}0m`), []);
    assert.deepEqual(runs(''), []);
  });
});
