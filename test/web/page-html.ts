// Reads the server-rendered pages the way a user reads them: a table's cells under their column
// headings, a panel's label/value facts, as text. The pages' markup is our own and never nests
// tables, so a few regular expressions suffice (no HTML parser is a dependency).

/** Text as a browser shows it: tags dropped, entities decoded, whitespace collapsed. */
export function textOf(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(lt|gt|quot|#39|#96|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`', amp: '&' })[name]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/** One body row: each cell's text and markup, by column heading. */
export interface Row {
  readonly text: Readonly<Record<string, string>>;
  readonly markup: Readonly<Record<string, string>>;
}

/** The body rows of the page's `<table class="…">` (or the table after a heading), keyed by column heading. */
export function tableRows(page: string, selector: { className: string } | { after: string }): Row[] {
  const start = 'className' in selector ? page.search(new RegExp(`<table class="${selector.className}"`)) : page.indexOf(selector.after);
  if (start < 0) throw new Error(`no table ${JSON.stringify(selector)} on the page`);
  const table = page.slice(page.indexOf('<table', start), page.indexOf('</table>', start));
  const headings = [...table.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((match) => textOf(match[1]!).replace(/ [▲▼]$/, ''));
  const body = table.slice(table.indexOf('<tbody>'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => match[1]!);
    const entries = headings.map((heading, index) => [heading, cells[index] ?? ''] as const);
    return { markup: Object.fromEntries(entries), text: Object.fromEntries(entries.map(([heading, cell]) => [heading, textOf(cell)])) };
  });
}

/** The label → value facts of the panel headed `heading` (a `<dl class="facts">`). */
export function factsOf(page: string, heading: string): Record<string, string> {
  const start = page.indexOf(`<h2>${heading}</h2>`);
  if (start < 0) throw new Error(`no panel ${heading} on the page`);
  const list = page.slice(start, page.indexOf('</dl>', start));
  return Object.fromEntries([...list.matchAll(/<dt>([\s\S]*?)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((match) => [textOf(match[1]!), textOf(match[2]!)]));
}
