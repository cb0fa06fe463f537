/** One run of log text with the SGR attributes in force. Text only: never HTML. */
export interface AnsiRun {
  text: string;
  classes: string[];
}

const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([0-9;]*)m/g;
// eslint-disable-next-line no-control-regex
const OTHER_ESCAPES = /\u001b\[[0-9;?]*[A-Za-ln-z]|\u001b\][^\u0007]*\u0007|[\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Splits a log line at ANSI colour codes into runs with CSS class names. Log text is
 * untrusted: the caller renders `text` as a text node, so markup in it stays text.
 */
export function parseAnsi(line: string): AnsiRun[] {
  const runs: AnsiRun[] = [];
  let fg: string | undefined;
  let bold = false;
  let last = 0;
  const push = (text: string) => {
    const clean = text.replace(OTHER_ESCAPES, '');
    if (clean) runs.push({ text: clean, classes: [...(fg ? [`ansi-${fg}`] : []), ...(bold ? ['ansi-bold'] : [])] });
  };
  for (const match of line.matchAll(SGR)) {
    push(line.slice(last, match.index));
    last = (match.index ?? 0) + match[0].length;
    for (const code of (match[1] || '0').split(';').map(Number)) {
      if (code === 0) {
        fg = undefined;
        bold = false;
      }
      else if (code === 1) bold = true;
      else if (code === 22) bold = false;
      else if (code >= 30 && code <= 37) fg = COLORS[code - 30];
      else if (code >= 90 && code <= 97) fg = `bright-${COLORS[code - 90]}`;
      else if (code === 39) fg = undefined;
    }
  }
  push(line.slice(last));
  return runs;
}
