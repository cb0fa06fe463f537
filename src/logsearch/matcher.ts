import { RE2JS, RE2JSException } from 're2js';
import { appError } from '../errors.js';

/** Tells whether one log line (its text, without the timestamp) matches the search. */
export type LineMatcher = (text: string) => boolean;

/** The longest pattern a caller may send (the query schema says the same). */
export const PATTERN_MAX_LENGTH = 256;

/**
 * The most instructions a compiled regex may have. RE2 matches in time linear in the line,
 * but the factor is the program's size: `(?:a?){1000}a{1000}` compiles to ~3000
 * instructions and takes ~350 ms on one 64 KiB line. At 1000 the worst line costs about a
 * tenth of that, an ordinary 200-byte line well under a millisecond.
 */
export const PROGRAM_MAX_INSTRUCTIONS = 1000;

export interface MatcherOptions {
  regex: boolean;
  /** Match case exactly; by default case is ignored. */
  caseSensitive: boolean;
}

/**
 * Plain text by default: a substring test. A regular expression runs on RE2 (re2js), whose
 * matching time is linear in the line's length, so no pattern can backtrack catastrophically
 * (`(a+)+$` over "aaaa…b" costs what any other pattern does). RE2 has no backreferences and
 * no lookahead: such a pattern is refused with LOG_SEARCH_INVALID_PATTERN, as is one whose
 * program is too large (LOG_SEARCH_PATTERN_TOO_COMPLEX).
 */
export function compileMatcher(query: string, { regex, caseSensitive }: MatcherOptions): LineMatcher {
  if (query.length === 0 || query.length > PATTERN_MAX_LENGTH) {
    throw appError('VALIDATION_ERROR', `q must be 1 to ${PATTERN_MAX_LENGTH} characters`);
  }
  if (!regex) {
    if (caseSensitive) return (text) => text.includes(query);
    // An escaped literal has no quantifier: V8 runs it in time linear in the line (times the query's length).
    const literal = new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    return (text) => literal.test(text);
  }
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(query, caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
  } catch (err) {
    if (err instanceof RE2JSException) {
      throw appError('LOG_SEARCH_INVALID_PATTERN', `The regular expression is not valid RE2 syntax: ${err.message}`);
    }
    throw err;
  }
  const size = programSize(compiled);
  if (size > PROGRAM_MAX_INSTRUCTIONS) {
    throw appError('LOG_SEARCH_PATTERN_TOO_COMPLEX', `The regular expression compiles to ${size} instructions; at most ${PROGRAM_MAX_INSTRUCTIONS} are allowed`);
  }
  return (text) => compiled.test(text);
}

interface CompiledInternals {
  re2Input?: { prog?: { numInst?: () => number } };
}

/**
 * The compiled program's instruction count. re2js does not export it, so it is read from
 * the compiled object; if a later version moves it, every regex is refused (fail closed)
 * and test/unit/logsearch-matcher.test.ts says so.
 */
export function programSize(compiled: RE2JS): number {
  const prog = (compiled as unknown as CompiledInternals).re2Input?.prog;
  return typeof prog?.numInst === 'function' ? prog.numInst() : Number.POSITIVE_INFINITY;
}
