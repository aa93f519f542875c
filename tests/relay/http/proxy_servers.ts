/** Minimal HTTP CONNECT and SOCKS5 (no auth) proxies for client tests; they log what they tunnelled. */

export interface TestProxy {
  url: string;
  /** One line per tunnel request: `CONNECT host:port` or `SOCKS5 host:port`. */
  seen: string[];
  close(): Promise<void>;
}

const encoder = new TextEncoder();

async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const got = await conn.read(out.subarray(at));
    if (got === null) throw new Error("proxy client closed early");
    at += got;
  }
  return out;
}

function serve(
  scheme: string,
  handshake: (conn: Deno.Conn, seen: string[]) => Promise<Deno.Conn | undefined>,
) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[] = [];
  const open = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      open.add(conn);
      handlers.push((async () => {
        const upstream = await handshake(conn, seen).catch(() => undefined);
        if (!upstream) {
          open.delete(conn);
          conn.close();
          return;
        }
        open.add(upstream);
        await Promise.all([
          conn.readable.pipeTo(upstream.writable).catch(() => {}),
          upstream.readable.pipeTo(conn.writable).catch(() => {}),
        ]);
        open.delete(conn);
        open.delete(upstream);
      })());
    }
  })();
  return {
    url: `${scheme}://127.0.0.1:${listener.addr.port}`,
    seen,
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* already closed by its pipe */ }
      }
      await Promise.all(handlers);
    },
  };
}

export function startConnectProxy(): TestProxy {
  return serve("http", async (conn, seen) => {
    let head = "";
    const buf = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await conn.read(buf);
      if (n === null) return undefined;
      head += new TextDecoder().decode(buf.subarray(0, n));
    }
    const [method, target] = head.split(" ");
    seen.push(`${method} ${target}`);
    if (method !== "CONNECT") {
      await conn.write(encoder.encode("HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n"));
      return undefined;
    }
    const i = target.lastIndexOf(":");
    const upstream = await Deno.connect({ hostname: target.slice(0, i), port: Number(target.slice(i + 1)) });
    await conn.write(encoder.encode("HTTP/1.1 200 Connection Established\r\n\r\n"));
    return upstream;
  });
}

export function startSocks5Proxy(): TestProxy {
  return serve("socks5", async (conn, seen) => {
    const [version, methods] = await readExactly(conn, 2);
    if (version !== 5) return undefined;
    await readExactly(conn, methods);
    await conn.write(new Uint8Array([5, 0])); // no authentication
    const [, command, , addressType] = await readExactly(conn, 4);
    let hostname: string;
    if (addressType === 1) hostname = (await readExactly(conn, 4)).join(".");
    else if (addressType === 3) {
      const [len] = await readExactly(conn, 1);
      hostname = new TextDecoder().decode(await readExactly(conn, len));
    } else return undefined;
    const portBytes = await readExactly(conn, 2);
    const port = (portBytes[0] << 8) | portBytes[1];
    seen.push(`SOCKS5 ${hostname}:${port}`);
    if (command !== 1) return undefined;
    const upstream = await Deno.connect({ hostname, port });
    await conn.write(new Uint8Array([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
    return upstream;
  });
}
