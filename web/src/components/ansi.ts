import { createAnsiSequenceParser, createColorPalette, namedColors, type Color, type ParseToken } from 'ansi-sequence-parser';

/**
 * One run of log text with the SGR attributes in force. Text only: never HTML. The 16 theme
 * colours and the attributes are CSS classes (styles.css); exact colours (256-colour palette
 * entries 16–255 and truecolour) are values the caller sets through CSSOM (React's `style`
 * prop), which the page's CSP (`style-src 'self'`, no 'unsafe-inline') allows: it refuses
 * style attributes in markup, not properties set from an allowed script.
 */
export interface AnsiRun {
  text: string;
  classes: string[];
  style?: { color?: string; backgroundColor?: string };
}

// Terminal attributes we render; 'hidden' is left out on purpose (a log viewer shows all it
// has) and so is 'overline' (rare; its text-decoration would need more class combinations).
const ATTRIBUTES = ['bold', 'dim', 'italic', 'underline', 'strikethrough'] as const;

// Control sequences a log line may carry: CSI (colours, cursor moves, erase), OSC (titles,
// links), other ESC sequences and C0 controls but tab. Only plain SGR (`ESC[…m` with numeric
// parameters) goes on to the parser; the rest is dropped, so the parser never sees an
// escape it would misread (it looks for the next `m` after any `ESC[`).
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[\x20-\x2f]*[\x30-\x7e]?|[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g;
// eslint-disable-next-line no-control-regex
const SGR = /^\u001b\[([0-9;]*)m$/;

const palette = createColorPalette();

type Paint = { cls: string } | { css: string };

/** `brightRed` → `bright-red`: the class suffix of a theme colour. */
function themeName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * A colour as a theme class (the 16 named colours, also when given as palette 0–15, so
 * `38;5;1` looks like `31`) or an exact CSS value (palette 16–255, truecolour). Out-of-range
 * values mean the default colour.
 */
export function paint(color: Color | null): Paint | undefined {
  if (!color) return undefined;
  if (color.type === 'named') return { cls: themeName(color.name) };
  if (color.type === 'table') {
    const { index } = color;
    if (!Number.isInteger(index) || index < 0 || index > 255) return undefined;
    const named = namedColors[index];
    return named ? { cls: themeName(named) } : { css: palette.value(color) };
  }
  return color.rgb.every((v) => Number.isInteger(v) && v >= 0 && v <= 255) ? { css: palette.value(color) } : undefined;
}

/**
 * The rendering of one parsed token. Inverse swaps the two colours; a default one swapped
 * becomes the line's text colour (as background) or the log box's background (as text).
 */
export function toRun(token: ParseToken): AnsiRun {
  const classes: string[] = [];
  const style: NonNullable<AnsiRun['style']> = {};
  let fg = paint(token.foreground);
  let bg = paint(token.background);
  if (token.decorations.has('reverse')) {
    [fg, bg] = [bg ?? { cls: 'inverse-default' }, fg ?? { cls: 'inverse-default' }];
  }
  if (fg) {
    if ('cls' in fg) classes.push(`ansi-${fg.cls}`);
    else style.color = fg.css;
  }
  if (bg) {
    if ('cls' in bg) classes.push(`ansi-bg-${bg.cls}`);
    else style.backgroundColor = bg.css;
  }
  for (const a of ATTRIBUTES) if (token.decorations.has(a)) classes.push(`ansi-${a}`);
  return { text: token.value, classes, ...(style.color || style.backgroundColor ? { style } : {}) };
}

/**
 * One SGR sequence per command: `38;5;n` / `48;5;n` and `38;2;r;g;b` / `48;2;r;g;b` stay
 * together, every other code stands alone. The parser applies the resets of one sequence
 * before its sets; split, the codes apply in the order the program wrote them. An empty
 * parameter means 0 (`ESC[m` is a reset).
 */
function oneCommandPerSequence(params: string): string {
  const codes = params.split(';').map((p) => p || '0');
  let out = '';
  for (let i = 0; i < codes.length; ) {
    const extended = codes[i] === '38' || codes[i] === '48';
    const take = extended && codes[i + 1] === '5' ? 3 : extended && codes[i + 1] === '2' ? 5 : 1;
    out += `\u001b[${codes.slice(i, i + take).join(';')}m`;
    i += take;
  }
  return out;
}

/** Keeps plain SGR sequences, one command each, and drops every other escape. */
function keepSgrOnly(line: string): string {
  return line.replace(ESCAPES, (seq) => {
    const sgr = SGR.exec(seq);
    return sgr ? oneCommandPerSequence(sgr[1] ?? '') : '';
  });
}

/**
 * Splits a log line at ANSI SGR codes into runs (ansi-sequence-parser reads the codes).
 * Each line starts with default attributes. Log text is untrusted: the caller renders
 * `text` as a text node, so markup in it stays text.
 */
export function parseAnsi(line: string): AnsiRun[] {
  const clean = keepSgrOnly(line);
  if (!clean.includes('\u001b')) return clean ? [{ text: clean, classes: [] }] : [];
  return createAnsiSequenceParser().parse(clean).map(toRun);
}
