/** `useApiGet(path)`: loads an `/api` GET when an island mounts or `path` changes, with a reload handle. */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, type ApiResult } from "./api.ts";

export interface ApiLoad<T> {
  /** Undefined while the first answer is pending. */
  result?: ApiResult<T>;
  loading: boolean;
  reload(): void;
}

export function useApiGet<T>(path: string | undefined): ApiLoad<T> {
  const [result, setResult] = useState<ApiResult<T> | undefined>(undefined);
  const [loading, setLoading] = useState(Boolean(path));
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (!path) return;
    let current = true;
    setLoading(true);
    api<T>("GET", path).then((r) => {
      if (!current) return;
      setResult(r);
      setLoading(false);
    });
    return () => {
      current = false;
    };
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { result, loading, reload };
}
