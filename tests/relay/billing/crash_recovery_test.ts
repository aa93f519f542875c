/**
 * Crash between hold and settle (T33): a real process holds 20 reservations and is killed with SIGKILL;
 * the next start resolves every hold exactly once (checkpointed ones settled at the checkpoint, the rest
 * released), a second restart and a late settle change nothing, and the balance matches the log.
 */
import { assert, assertEquals } from "../../support/assert.ts";
import { storeTest } from "../../support/stores.ts";
import { billingFixture, counters, rid } from "../../support/billing.ts";
import { Billing } from "../../../relay/billing/billing.ts";
import { Catalog } from "../../../store/cache/catalog.ts";
import { storeLocation, testSecrets } from "../../support/stores.ts";
import { getReservation } from "../../../store/reservations.ts";
import { asInt, nowSeconds, queryOne } from "../../../store/db.ts";

const fixtureScript = new URL("./fixtures/hold_and_hang.ts", import.meta.url).pathname;

async function runUntilHeld(args: string[]): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixtureScript, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("HELD")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the holding process exited early: ${out}`);
    out += value;
  }
  reader.releaseLock();
  return child;
}

storeTest(
  "SIGKILL during 20 in-flight requests: the next start resolves each hold exactly once",
  async (s) => {
    const db = await s.openMigrated();
    try {
      const f = await billingFixture(db, {
        userQuota: 1_000_000,
        tokenQuota: 1_000_000,
        unlimitedToken: false,
      });
      const start = await counters(f);
      const prefix = rid("crash");
      const child = await runUntilHeld([
        await storeLocation(s, db),
        String(f.userId),
        String(f.tokenId),
        String(f.channelId),
        "20",
        "8",
        prefix,
      ]);
      const held = await counters(f);
      assertEquals([held.held, held.userQuota], [20, start.userQuota - 20 * 300]);
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});

      const restart = async () => {
        const catalog = new Catalog(db, testSecrets.cryptoSecret);
        await catalog.loadAll();
        const b = new Billing(db, catalog, {
          errorLogEnabled: false,
          holdSeconds: 2,
          singleProcess: s.kind === "sqlite",
        });
        await b.start();
        // PostgreSQL and MySQL may have other live instances: only expired holds are theirs to take, so let
        // time pass.
        const later = s.kind !== "sqlite"
          ? await b.sweep({ now: nowSeconds() + 10 })
          : { settled: 0, released: 0 };
        await b.stop();
        return { b, later };
      };
      const first = await restart();
      const after = await counters(f);
      assertEquals(after.held, 0);
      for (let i = 0; i < 20; i++) {
        const r = (await getReservation(db, `${prefix}-${i}`))!;
        if (i < 8) {
          assertEquals([r.status, r.resolution, r.settledQuota], [
            "SETTLED",
            "sweep_checkpoint",
            100 + 2 * (10 + i),
          ]);
        } else assertEquals([r.status, r.resolution], ["RELEASED", "sweep_release"]);
      }
      assertEquals(after.consumeCount, 8);
      const swept = await queryOne(db, "SELECT other, completion_tokens FROM logs WHERE request_id = ?", [
        `${prefix}-3`,
      ]);
      const other = JSON.parse(String(swept!.other));
      assertEquals([
        other.estimated,
        other.model_ratio,
        other.completion_ratio,
        asInt(swept!.completion_tokens),
      ], [
        true,
        1,
        2,
        13,
      ]);
      assertEquals(after.userQuota, start.userQuota - after.consumeSum);
      assertEquals(after.tokenRemain, start.tokenRemain - after.consumeSum);
      assertEquals([after.userUsed, after.requestCount, after.channelUsed], [
        after.consumeSum,
        8,
        after.consumeSum,
      ]);

      const second = await restart();
      assertEquals(second.later, { settled: 0, released: 0 }, "a second restart finds nothing to do");
      const late = await first.b.settleHeld(`${prefix}-0`, 999, f.channelId, { userId: f.userId }, 1);
      assertEquals(late.applied, false, "the dead process's settle, arriving late, is a no-op");
      assertEquals(await counters(f), after);
    } finally {
      await db.close();
    }
  },
);

storeTest(
  "a sweeper racing late settles on another connection: each request charged exactly once",
  async (s) => {
    const db = await s.openMigrated();
    const other = await s.open();
    try {
      const f = await billingFixture(db, { userQuota: 1_000_000 });
      const catalog = new Catalog(other, testSecrets.cryptoSecret);
      await catalog.loadAll();
      const sweeper = new Billing(other, catalog, {
        errorLogEnabled: false,
        holdSeconds: 60,
        singleProcess: false,
      });
      const sessions = await Promise.all(Array.from({ length: 20 }, () =>
        f.billing.begin({
          requestId: rid("race"),
          user: f.user,
          token: f.token,
          model: "test-model",
          usingGroup: "default",
          promptTokens: 100,
          maxTokens: 100,
          isStream: false,
        })));
      const [settles, swept] = await Promise.all([
        Promise.all(
          sessions.map((x) =>
            x.settle({ inputTokens: 100, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 50 })
          ),
        ),
        sweeper.sweep({ now: nowSeconds() + 3600 }),
      ]);
      const settledBySession = settles.filter((r) => r?.applied).length;
      assertEquals(settledBySession + swept.released + swept.settled, 20);
      const c = await counters(f);
      assertEquals(c.held, 0);
      assertEquals(c.consumeSum, 200 * settledBySession);
      assertEquals(c.userQuota, 1_000_000 - c.consumeSum);
      assert(c.userUsed === c.consumeSum && c.requestCount === c.consumeCount);
    } finally {
      await other.close();
      await db.close();
    }
  },
);
