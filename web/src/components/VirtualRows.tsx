import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** A row's height before it is measured (one line of text with a pill and buttons). */
const ROW_ESTIMATE = 37;
/** The sticky header row's height: rows start below it, and a row scrolled to is not hidden under it. */
const HEADER_ESTIMATE = 34;
/** Rows rendered beyond each edge of the view: Tab and arrow keys find the next row already there. */
const OVERSCAN = 8;

interface Props<T> {
  /** Accessible name of the scrollable region. */
  label: string;
  rows: readonly T[];
  rowKey: (row: T) => string;
  rowTestId: (row: T) => string;
  /** Number of columns (for the spacer rows). */
  columns: number;
  /** The header row (<tr>), kept in view while the body scrolls. */
  header: ReactNode;
  /** The cells of one row. */
  renderRow: (row: T) => ReactNode;
  /** A class for a row's <tr> (e.g. `stale`), styled by the stylesheet. */
  rowClass?: (row: T) => string | undefined;
}

/**
 * A table whose body renders only the rows in view (plus a few either side), so 1,000
 * containers cost about as much as 40. @tanstack/react-virtual computes the window; the
 * rows stay real <tr>s in one <table> (columns line up, the header sorts as before), with
 * a spacer row above and below standing in for the rows not rendered. Their heights are set
 * through the style prop, i.e. CSSOM from script, which the CSP allows (no style attribute
 * in markup).
 *
 * Keyboard: the region is focusable and scrolls with the arrow and page keys; inside a row,
 * ArrowUp/ArrowDown move to the previous/next row's first link and Home/End to the first and
 * last row, scrolling them into view; the focused row stays rendered while scrolled away, so
 * focus is never dropped. aria-rowcount/aria-rowindex tell assistive technology the full size.
 */
export function VirtualRows<T>({ label, rows, rowKey, rowTestId, columns, header, renderRow, rowClass }: Props<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [focusedKey, setFocusedKey] = useState<string>();
  const focusedIndex = focusedKey === undefined ? -1 : rows.findIndex((r) => rowKey(r) === focusedKey);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (focusedIndex < 0 || indexes.includes(focusedIndex)) return indexes;
      return [...indexes, focusedIndex].sort((a, b) => a - b);
    },
    [focusedIndex],
  );
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_ESTIMATE,
    overscan: OVERSCAN,
    paddingStart: HEADER_ESTIMATE,
    scrollPaddingStart: HEADER_ESTIMATE,
    getItemKey: (i) => rowKey(rows[i] as T),
    rangeExtractor,
  });

  // A row asked for by the keyboard gets focus once it is rendered.
  const wantFocus = useRef<number | undefined>(undefined);
  const focusRow = (index: number): boolean => {
    const link = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${index}"] a, tr[data-index="${index}"] button`);
    link?.focus();
    return Boolean(link);
  };
  useEffect(() => {
    if (wantFocus.current !== undefined && focusRow(wantFocus.current)) wantFocus.current = undefined;
  });

  const onKeyDown = (e: KeyboardEvent<HTMLTableSectionElement>) => {
    const tr = (e.target as HTMLElement).closest('tr[data-index]');
    if (!tr || rows.length === 0) return;
    const at = Number(tr.getAttribute('data-index'));
    const to = e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : undefined;
    if (to === undefined) return;
    e.preventDefault();
    const index = Math.min(Math.max(to, 0), rows.length - 1);
    virtualizer.scrollToIndex(index, { align: 'auto' });
    if (!focusRow(index)) wantFocus.current = index;
  };

  const items = virtualizer.getVirtualItems();
  const cells: ReactNode[] = [];
  let end = HEADER_ESTIMATE;
  const spacer = (key: string, height: number) =>
    height > 0 && (
      <tr key={key} aria-hidden="true" className="spacer-row">
        <td colSpan={columns} style={{ height }} />
      </tr>
    );
  for (const item of items) {
    const row = rows[item.index] as T;
    cells.push(spacer(`gap-${item.key}`, item.start - end));
    cells.push(
      <tr key={item.key} data-index={item.index} data-testid={rowTestId(row)} className={rowClass?.(row)} aria-rowindex={item.index + 2} ref={virtualizer.measureElement}>
        {renderRow(row)}
      </tr>,
    );
    end = item.end;
  }
  cells.push(spacer('gap-end', virtualizer.getTotalSize() - end));

  return (
    <div className="table-scroll" ref={scrollRef} tabIndex={0} role="region" aria-label={label}>
      <table aria-rowcount={rows.length + 1}>
        <thead>{header}</thead>
        <tbody
          onKeyDown={onKeyDown}
          onFocus={(e) => {
            const index = (e.target as HTMLElement).closest('tr[data-index]')?.getAttribute('data-index');
            const row = index == null ? undefined : rows[Number(index)];
            setFocusedKey(row === undefined ? undefined : rowKey(row));
          }}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setFocusedKey(undefined);
          }}
        >
          {cells}
        </tbody>
      </table>
    </div>
  );
}
