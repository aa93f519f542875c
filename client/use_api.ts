/**
 * `useApiGet(path)`: loads an `/api` GET when an island mounts or `path` changes, with a reload handle.
 * `useApiCall(method, path, body)` does the same for the few reads New API makes with a POST body.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, type ApiResult } from "./api.ts";

export interface ApiLoad<T> {
  /** Undefined while the first answer is pending. */
  result?: ApiResult<T>;
  loading: boolean;
  reload(): void;
}

export function useApiGet<T>(path: string | undefined): ApiLoad<T> {
  return useApiCall<T>("GET", path);
}

export function useApiCall<T>(method: string, path: string | undefined, body?: unknown): ApiLoad<T> {
  const bodyText = body === undefined ? undefined : JSON.stringify(body);
  const [result, setResult] = useState<ApiResult<T> | undefined>(undefined);
  const [loading, setLoading] = useState(Boolean(path));
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!path) return;
    let current = true;
    setLoading(true);
    api<T>(method, path, bodyText === undefined ? undefined : JSON.parse(bodyText)).then((r) => {
      if (!current) return;
      setResult(r);
      setLoading(false);
    });
    return () => {
      current = false;
    };
  }, [method, path, bodyText, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { result, loading, reload };
}
