import type { Finding } from './policy.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How many leading keys of `path` a raw document has. */
function depthIn(doc: unknown, path: readonly string[]): number {
  let node = doc;
  let depth = 0;
  for (const key of path) {
    if (!isRecord(node) || !(key in node)) break;
    node = node[key];
    depth += 1;
  }
  return depth;
}

/**
 * A finding as a caller reads it: the file that writes the key (the one holding the longest
 * part of its path, since the model merges files, extends and includes), then the key, the
 * value compose resolved and why it is refused.
 */
export function describeFinding(finding: Finding, docs: ReadonlyMap<string, unknown>, files: readonly string[]): string {
  let file = files.join(', ');
  let best = 0;
  for (const [name, doc] of docs) {
    const depth = depthIn(doc, finding.path);
    if (depth > best) {
      best = depth;
      file = name;
    }
  }
  const value = finding.value === undefined ? '' : ` ${JSON.stringify(finding.value)}`;
  const usedBy = finding.usedBy?.length ? ` (used by ${finding.usedBy.join(', ')})` : '';
  return `${file}: ${finding.path.join('.')}${value} ${finding.why}${usedBy}`;
}
