/** New API's paging: `p` (1-based) and `page_size` (aliases `ps`, `size`; default 10, at most 100). */
import type { Context } from "hono";

export interface PageQuery {
  page: number;
  pageSize: number;
  offset: number;
}

const MAX_PAGE = 100_000;

function int(text: string | undefined): number {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : 0;
}

export function pageQuery(c: Context): PageQuery {
  const page = Math.min(MAX_PAGE, Math.max(1, int(c.req.query("p"))));
  let size = int(c.req.query("page_size")) || int(c.req.query("ps")) || int(c.req.query("size")) || 10;
  if (size < 1) size = 10;
  if (size > 100) size = 100;
  return { page, pageSize: size, offset: (page - 1) * size };
}

/** The `{page, page_size, total, items}` body New API returns for paged lists. */
export function pageBody(q: PageQuery, total: number, items: unknown[]) {
  return { page: q.page, page_size: q.pageSize, total, items };
}
