/**
 * T19 body-and-bomb-limits: a 1 MiB gzip body that expands to 1 GiB and a streamed 200 MiB body are
 * refused with 413 quickly and in bounded memory; the anonymous routes (login, register, setup) are
 * capped at ANONYMOUS_REQUEST_BODY_LIMIT_KB (512 KiB), declared or streamed. The bomb found a hole: Deno's
 * DecompressionStream inflated the whole 1 MiB chunk at once (1 GiB resident, 7 s) before the size check.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { fakeChannel, heldCount, relaySetup } from "../support/relay.ts";

const MiB = 1024 * 1024;

function post(h: AppHarness, path: string, body: BodyInit, headers: Record<string, string>) {
  return Promise.resolve(h.app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://localhost", ...headers },
    body,
    // deno-lint-ignore no-explicit-any
    ...({ duplex: "half" } as any),
  }));
}

/** `total` bytes of `fill`, pulled one MiB at a time; `pulled()` says how many MiB were read. */
function counted(total: number, fill = 0x20) {
  const chunk = new Uint8Array(MiB).fill(fill);
  let n = 0;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(c) {
      if (n * MiB >= total) c.close();
      else (n++, c.enqueue(chunk));
    },
  });
  return { stream, pulled: () => n };
}

async function gzipBomb(bytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const zeros = counted(bytes, 0);
  return await new Response(zeros.stream.pipeThrough(new CompressionStream("gzip"))).bytes();
}

appTest(
  "a 1 MiB gzip bomb of 1 GiB and a streamed 200 MiB body are 413 fast, in bounded memory",
  async (h) => {
    await using fake = await startFakeUpstream();
    const s = await relaySetup(h, { channels: [fakeChannel(fake.url)] });
    const auth = { authorization: `Bearer ${s.key}` };
    const bomb = await gzipBomb(1024 * MiB);
    assert(bomb.length < 1.1 * MiB, `bomb is ${bomb.length} bytes`);

    const rssBefore = Deno.memoryUsage().rss;
    let started = performance.now();
    const bombed = await post(h, "/v1/chat/completions", bomb, { ...auth, "content-encoding": "gzip" });
    assertEquals(bombed.status, 413, await bombed.text());
    assert(performance.now() - started < 5000, "refused within 5 s");

    const big = counted(200 * MiB);
    started = performance.now();
    const declared = await post(h, "/v1/chat/completions", big.stream, {
      ...auth,
      "content-length": String(200 * MiB),
    });
    assertEquals(declared.status, 413, await declared.text());
    assert(big.pulled() <= 20, `read ${big.pulled()} MiB of 200`);
    assert(performance.now() - started < 5000, "refused within 5 s");
    const grown = (Deno.memoryUsage().rss - rssBefore) / MiB;
    assert(grown < 128, `RSS grew ${grown.toFixed(0)} MiB`);
    assertEquals(fake.requestCount, 0);
    assertEquals(await heldCount(h), 0);

    // A real 2 MiB gzip body still gets through, byte for byte.
    const content = "hello ".repeat(2 * MiB / 6);
    const json = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
    const zipped = await new Response(
      new Blob([json]).stream().pipeThrough(new CompressionStream("gzip")),
    ).bytes();
    const fine = await post(h, "/v1/chat/completions", zipped, { ...auth, "content-encoding": "gzip" });
    assertEquals(fine.status, 200, await fine.text());
    assertEquals(JSON.parse(fake.lastRequest()!.text).messages[0].content, content);
  },
  { MAX_REQUEST_BODY_MB: "16" },
);

appTest("login, register and setup take at most 512 KiB, declared or streamed", async (h) => {
  const padding = "x".repeat(MiB);
  for (const path of ["/api/user/login", "/api/user/register", "/api/setup"]) {
    const declared = await post(h, path, JSON.stringify({ username: "u", password: padding }), {});
    assertEquals(declared.status, 413, `${path}: ${await declared.text()}`);
    const body = counted(MiB);
    const streamed = await post(h, path, body.stream, {});
    assertEquals(streamed.status, 413, `${path} streamed: ${await streamed.text()}`);
    assert(body.pulled() <= 1, `${path} read ${body.pulled()} MiB`);
  }
  const small = await post(
    h,
    "/api/user/login",
    JSON.stringify({ username: "nobody", password: "x".repeat(20) }),
    {},
  );
  assert(small.status !== 413, "a normal sign-in body is read");
  await small.body?.cancel();
});
