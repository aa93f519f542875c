/**
 * The SSRF guard against real sockets: a canary server listens on every local address and must see
 * nothing, whatever spelling of loopback, private or metadata address the URL uses, and whatever a
 * redirect or a resolver says. Allowed receivers on 127.0.0.2 prove that allowed traffic does flow and
 * that the connection goes to the address the guard checked.
 */
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { guardedFetch, GuardedFetchError, type Resolver, SsrfRefusedError } from "../../net/ssrf_fetch.ts";
import { defaultFetchSetting, type FetchSetting } from "../../net/fetch_setting.ts";

const fixtures = new URL("./fixtures/", import.meta.url);
const cert = Deno.readTextFileSync(new URL("hooks_test_cert.pem", fixtures));
const key = Deno.readTextFileSync(new URL("hooks_test_key.pem", fixtures));
const ca = Deno.readTextFileSync(new URL("test_ca_cert.pem", fixtures));

interface Local {
  port: number;
  hits: string[];
  close(): Promise<void>;
}

function serve(
  hostname: string,
  handler: (req: Request) => Response | Promise<Response>,
  tls = false,
): Local {
  const hits: string[] = [];
  const server = Deno.serve(
    { hostname, port: 0, onListen() {}, ...(tls ? { cert, key } : {}) },
    (req) => {
      hits.push(`${req.method} ${new URL(req.url).pathname}`);
      return handler(req);
    },
  );
  return { port: server.addr.port, hits, close: () => server.shutdown() };
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the fetch to be refused");
}

/** Only the address rules may refuse: the canary's port is allowed. */
const protect = (port: number, extra: Partial<FetchSetting> = {}): FetchSetting => ({
  ...defaultFetchSetting,
  allowedPorts: [String(port)],
  ...extra,
});

/** The explicit allow-list tests use to reach receivers on 127.0.0.2 (and nothing else). */
const allowReceiver = (port: number, extra: Partial<FetchSetting> = {}): FetchSetting =>
  protect(port, {
    allowPrivateIp: true,
    ipFilterMode: true,
    ipList: ["127.0.0.2"],
    allowedPorts: [],
    ...extra,
  });

Deno.test("every spelling of loopback, private and metadata addresses is refused; the canary sees nothing", async () => {
  const canary = serve("::", () => new Response("canary"));
  try {
    const p = canary.port;
    const urls = [
      `http://127.0.0.1:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://0:${p}/`,
      `http://[::1]:${p}/`,
      `http://[::]:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::ffff:7f00:1]:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f000001:${p}/`,
      `http://017700000001:${p}/`,
      `http://127.1:${p}/`,
      `http://localhost:${p}/`,
      `http://LOCALHOST.:${p}/`,
      `http://public.example@127.0.0.1:${p}/`,
      `http://[64:ff9b::7f00:1]:${p}/`,
      `http://[2002:7f00:1::]:${p}/`,
      `http://169.254.169.254:${p}/latest/meta-data/`,
      `http://10.0.0.1:${p}/`,
      `http://172.16.0.1:${p}/`,
      `http://192.168.0.1:${p}/`,
      `http://100.64.0.1:${p}/`,
      `http://198.18.0.1:${p}/`,
    ];
    for (const url of urls) {
      const err = await refusal(guardedFetch(url, { setting: protect(p), method: "POST", body: "{}" }));
      assert(err instanceof SsrfRefusedError, `${url}: ${err}`);
      assert(/not public/.test(err.message), `${url} refused by the address rule: ${err.message}`);
    }
    assertEquals(canary.hits, [], "canary hits");
  } finally {
    await canary.close();
  }
});

Deno.test("a redirect to loopback is refused at the hop; the redirector is hit, the canary is not", async () => {
  const canary = serve("::", () => new Response("canary"));
  const targets = [
    `http://127.0.0.1:${canary.port}/`,
    `http://localhost:${canary.port}/`,
    `http://[::1]:${canary.port}/`,
  ];
  let next = 0;
  const redirector = serve(
    "127.0.0.2",
    () => new Response(null, { status: 302, headers: { location: targets[next++] } }),
  );
  try {
    for (const target of targets) {
      const err = await refusal(
        guardedFetch(`http://127.0.0.2:${redirector.port}/hook`, { setting: allowReceiver(redirector.port) }),
      );
      assert(err instanceof SsrfRefusedError, `${target}: ${err}`);
    }
    assertEquals(redirector.hits.length, 3);
    assertEquals(canary.hits, []);
  } finally {
    await redirector.close();
    await canary.close();
  }
});

Deno.test("names are checked on the address the connection uses (no DNS-rebinding window)", async () => {
  const canary = serve("::", () => new Response("canary"));
  try {
    let calls = 0;
    const rebinding: Resolver = () => {
      calls++;
      return Promise.resolve([{ address: "127.0.0.1", family: 4 }]);
    };
    // Even a name on the domain allow-list must resolve to an acceptable address.
    const setting = protect(canary.port, { domainFilterMode: true, domainList: ["*.rebind.test"] });
    const err = await refusal(
      guardedFetch(`http://a.rebind.test:${canary.port}/`, { setting, resolver: rebinding }),
    );
    assert(err instanceof SsrfRefusedError, String(err));
    assertStringIncludes(err.message, "127.0.0.1 is not public");
    assertEquals(calls, 1, "one resolution, checked and used");
    const mixed: Resolver = () =>
      Promise.resolve([{ address: "93.184.215.14", family: 4 }, { address: "::1", family: 6 }]);
    assert(
      (await refusal(
        guardedFetch(`http://mixed.test:${canary.port}/`, { setting: protect(canary.port), resolver: mixed }),
      )) instanceof
        SsrfRefusedError,
      "one bad address refuses the name",
    );
    assertEquals(canary.hits, []);
  } finally {
    await canary.close();
  }
});

Deno.test("an explicitly allowed receiver is reached, at the address the resolver gave, over TLS too", async () => {
  const plain = serve("127.0.0.2", async (req) => Response.json({ got: await req.text() }));
  const secure = serve("127.0.0.2", () => new Response("tls ok"), true);
  try {
    const res = await guardedFetch(`http://127.0.0.2:${plain.port}/hook`, {
      setting: allowReceiver(plain.port),
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    assertEquals(res.status, 200);
    assertEquals(JSON.parse(res.text()), { got: '{"a":1}' });
    // hooks.test exists nowhere: reaching the server proves the connection used the checked address.
    const resolver: Resolver = () => Promise.resolve([{ address: "127.0.0.2", family: 4 }]);
    const tls = await guardedFetch(`https://hooks.test:${secure.port}/`, {
      setting: allowReceiver(secure.port),
      resolver,
      caCerts: [ca],
    });
    assertEquals(tls.text(), "tls ok");
    const wrongName = await refusal(guardedFetch(`https://other.test:${secure.port}/`, {
      setting: allowReceiver(secure.port),
      resolver,
      caCerts: [ca],
    }));
    assert(wrongName instanceof GuardedFetchError, "certificate checked against the URL's name");
    assertEquals(secure.hits.length, 1);
  } finally {
    await plain.close();
    await secure.close();
  }
});

Deno.test("ports outside the allowed list, other schemes and the deny-lists are refused", async () => {
  const cases: [string, Partial<FetchSetting>, string][] = [
    ["http://93.184.215.14:22/", {}, "port 22"],
    ["ftp://93.184.215.14/", {}, "scheme"],
    ["http://evil.example/", { domainList: ["*.example"] }, "blocked list"],
    [
      "http://ok.example/",
      { domainFilterMode: true, domainList: ["hooks.example"] },
      "not in the allowed list",
    ],
    ["http://93.184.215.14/", { ipList: ["93.184.215.0/24"] }, "blocked list"],
  ];
  for (const [url, extra, reason] of cases) {
    const err = await refusal(guardedFetch(url, { setting: { ...defaultFetchSetting, ...extra } }));
    assert(err instanceof SsrfRefusedError, `${url}: ${err}`);
    assertStringIncludes(err.message, reason);
  }
});

Deno.test("redirect loops, slow receivers and oversized answers are cut off", async () => {
  const loop = serve(
    "127.0.0.2",
    (req) => new Response(null, { status: 307, headers: { location: req.url } }),
  );
  const big = serve("127.0.0.2", () => new Response("x".repeat(300_000)));
  const slow = serve(
    "127.0.0.2",
    () => new Promise<Response>((r) => setTimeout(() => r(new Response("late")), 700)),
  );
  try {
    const looped = await refusal(
      guardedFetch(`http://127.0.0.2:${loop.port}/`, { setting: allowReceiver(loop.port) }),
    );
    assertStringIncludes(looped.message, "too many redirects");
    assertEquals(loop.hits.length, 4, "first request plus 3 redirects");
    const tooBig = await refusal(
      guardedFetch(`http://127.0.0.2:${big.port}/`, { setting: allowReceiver(big.port), maxBytes: 100_000 }),
    );
    assertStringIncludes(tooBig.message, "larger than 100000 bytes");
    const late = await refusal(
      guardedFetch(`http://127.0.0.2:${slow.port}/`, { setting: allowReceiver(slow.port), timeoutMs: 200 }),
    );
    assertStringIncludes(late.message, "timed out");
  } finally {
    await loop.close();
    await big.close();
    await slow.close();
  }
});
