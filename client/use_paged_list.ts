/**
 * `usePagedList(path)`: one of New API's paged lists (`?p=&page_size=`), with a keyword search on its
 * `/search` route and extra filters, reloaded whenever the page, keyword or filters change.
 */
import { useState } from "preact/hooks";
import { asPage, type Page } from "./api.ts";
import { type ApiLoad, useApiGet } from "./use_api.ts";

export interface PagedListOptions {
  pageSize?: number;
  /** The route that takes `keyword` (New API's `/api/<thing>/search`). */
  searchPath?: string;
}

export interface PagedList<T> extends ApiLoad<unknown> {
  page: number;
  pageSize: number;
  setPage(page: number): void;
  /** Searches by keyword (back to page 1); an empty keyword lists everything. */
  search(keyword: string): void;
  /** Sets query filters (back to page 1); empty values are left out. */
  filter(params: Record<string, string>): void;
  /** The answered page, once it arrived and succeeded. */
  data?: Page<T>;
}

export function usePagedList<T>(path: string, options: PagedListOptions = {}): PagedList<T> {
  const pageSize = options.pageSize ?? 20;
  const [page, setPage] = useState(1);
  const [keyword, setKeyword] = useState("");
  const [filters, setFilters] = useState<Record<string, string>>({});
  const params = new URLSearchParams({ p: String(page), page_size: String(pageSize) });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (keyword) params.set("keyword", keyword);
  const base = keyword && options.searchPath ? options.searchPath : path;
  const load = useApiGet<unknown>(`${base}?${params}`);
  return {
    ...load,
    page,
    pageSize,
    setPage,
    search: (k) => {
      setPage(1);
      setKeyword(k.trim());
    },
    filter: (f) => {
      setPage(1);
      setFilters(f);
    },
    data: load.result?.ok ? asPage<T>(load.result.data, page, pageSize) : undefined,
  };
}
