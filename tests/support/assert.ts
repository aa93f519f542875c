/** Assertions for tests (Deno's @std/assert lives on JSR, which is out of reach here). */
export class AssertionError extends Error {
  override name = "AssertionError";
}

export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new AssertionError(message);
}

function canonical(v: unknown): unknown {
  if (v instanceof Uint8Array) return { bytes: Array.from(v) };
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  if (typeof v === "bigint") return `${v}n`;
  return v;
}

export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  const a = JSON.stringify(canonical(actual));
  const e = JSON.stringify(canonical(expected));
  if (a !== e && !(Number.isNaN(actual) && Number.isNaN(expected))) {
    throw new AssertionError(`${message ? message + ": " : ""}expected ${e}, got ${a}`);
  }
}

export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  if (JSON.stringify(canonical(actual)) === JSON.stringify(canonical(expected))) {
    throw new AssertionError(
      `${message ? message + ": " : ""}did not expect ${JSON.stringify(canonical(actual))}`,
    );
  }
}

export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}expected ${JSON.stringify(actual)} to match ${pattern}`,
    );
  }
}

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `${message ? message + ": " : ""}expected ${JSON.stringify(actual)} to include ${
        JSON.stringify(expected)
      }`,
    );
  }
}

// deno-lint-ignore no-explicit-any
type ErrorClass = new (...args: any[]) => Error;

/** Checks a caught error against the expected class and message fragment, and returns it. */
function expectError(err: unknown, errorClass?: ErrorClass, includes?: string): Error {
  if (errorClass && !(err instanceof errorClass)) {
    throw new AssertionError(
      `expected ${errorClass.name}, got ${(err as Error)?.name}: ${(err as Error)?.message}`,
    );
  }
  if (includes && !String((err as Error)?.message).includes(includes)) {
    throw new AssertionError(
      `expected error message to include ${JSON.stringify(includes)}, got ${
        JSON.stringify((err as Error)?.message)
      }`,
    );
  }
  return err as Error;
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  errorClass?: ErrorClass,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return expectError(err, errorClass, includes);
  }
  throw new AssertionError("expected the promise to reject");
}

export function assertThrows(fn: () => unknown, errorClass?: ErrorClass, includes?: string): Error {
  try {
    fn();
  } catch (err) {
    return expectError(err, errorClass, includes);
  }
  throw new AssertionError("expected the function to throw");
}
