// Does every cell of the Nodes table fit? Measured in the browser on the
// rendered table, judged here: our cells must never spill out of their column
// or be cut, and Headlamp's own columns must not be squeezed to one character
// a line, as Memory was at 1280 px next to our wide badges.
import type { Page } from 'playwright-core';

/** One header or cell as the browser laid it out. */
export interface CellLayout {
  column: string;
  /** -1 for the header, else the row's index in the body. */
  row: number;
  text: string;
  scrollWidth: number;
  clientWidth: number;
  /** The text reaches past the cell's right edge (cut by the cell or drawn over its neighbour). */
  clipped: boolean;
  /** An element inside hides part of its content (text-overflow: ellipsis or overflow: hidden). */
  innerOverflow: boolean;
  /** Of the text node with the most lines: how many lines, how many non-space characters, its widest line, its mean character width. */
  lines: number;
  chars: number;
  widestLine: number;
  charWidth: number;
}

export interface ColumnLayout {
  label: string;
  cells: CellLayout[];
}

export interface TableFit {
  /** Our cells (headers included) that overflow or are cut. */
  overflowing: CellLayout[];
  /** Headlamp's headers and cells squeezed to about one character a line. */
  squeezed: CellLayout[];
  /** Every visible column's label, left to right. */
  columns: string[];
}

/** A cell the browser had to cut or spill: content wider than the box, text past its edge, or hidden inside. */
export function overflows(cell: CellLayout): boolean {
  return cell.scrollWidth > cell.clientWidth + 1 || cell.clipped || cell.innerOverflow;
}

/** Text broken into lines of a character or two: narrower than two average characters, or as many lines as half its characters. */
export function squeezed(cell: CellLayout): boolean {
  if (cell.chars < 3 || cell.lines < 2) return false;
  return cell.widestLine < 2 * cell.charWidth || cell.lines >= Math.max(3, cell.chars / 2);
}

// Runs in the page, as a string: this package's TypeScript has no DOM types.
// MRT follows a sortable header's label with its sort order ("Ready0").
const MEASURE_TABLE = `(() => {
  const table = document.querySelector('table');
  if (!table) throw new Error('no table on the page');
  const labelOf = (th) => (th.innerText || '').replace(/\\d+$/, '').trim();
  const textNodes = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) if ((node.textContent || '').trim()) found.push(node);
    return found;
  };
  const lineShape = (text) => {
    const range = document.createRange();
    range.selectNodeContents(text);
    const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
    const chars = (text.textContent || '').replace(/\\s/g, '').length;
    const width = rects.reduce((sum, rect) => sum + rect.width, 0);
    return {
      lines: new Set(rects.map((rect) => Math.round(rect.top))).size,
      chars,
      widestLine: Math.max(0, ...rects.map((rect) => rect.width)),
      charWidth: chars ? width / chars : 0,
      right: Math.max(0, ...rects.map((rect) => rect.right)),
    };
  };
  const hidesOverflow = (inner) => {
    const style = getComputedStyle(inner);
    return (style.overflowX !== 'visible' || style.textOverflow === 'ellipsis') && inner.scrollWidth > inner.clientWidth + 1;
  };
  const measure = (element, column, row) => {
    const box = element.getBoundingClientRect();
    const shapes = textNodes(element).map(lineShape);
    const most = shapes.reduce((a, b) => (b.lines > a.lines ? b : a), { lines: 0, chars: 0, widestLine: 0, charWidth: 0 });
    return {
      column,
      row,
      text: element.innerText.trim(),
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
      clipped: shapes.some((shape) => shape.right > box.right + 0.5),
      innerOverflow: [...element.querySelectorAll('*')].some(hidesOverflow),
      lines: most.lines,
      chars: most.chars,
      widestLine: most.widestLine,
      charWidth: most.charWidth,
    };
  };
  const rows = [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')]);
  return [...table.querySelectorAll('thead th')].flatMap((th, index) => {
    const label = labelOf(th);
    if (!label || th.getBoundingClientRect().width === 0) return [];
    const cells = rows.flatMap((cells, row) => (cells[index] ? [measure(cells[index], label, row)] : []));
    return [{ label, cells: [measure(th, label, -1), ...cells] }];
  });
})()`;

/** Lays out the first table on the page: every visible column, its header and its cells. */
export async function measureTable(page: Page): Promise<ColumnLayout[]> {
  return (await page.evaluate(MEASURE_TABLE)) as ColumnLayout[];
}

/** Judges the table: `ours` are our columns' labels; every other visible column is Headlamp's. */
export async function nodesTableFit(page: Page, ours: string[]): Promise<TableFit> {
  const columns = await measureTable(page);
  const mine = columns.filter((column) => ours.includes(column.label));
  const headlamps = columns.filter((column) => !ours.includes(column.label));
  return {
    overflowing: mine.flatMap((column) => column.cells.filter(overflows)),
    squeezed: headlamps.flatMap((column) => column.cells.filter(squeezed)),
    columns: columns.map((column) => column.label),
  };
}
