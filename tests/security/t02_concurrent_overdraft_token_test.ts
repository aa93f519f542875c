/**
 * T02 concurrent-overdraft-token: 100 concurrent requests against a token whose remain_quota is worth 10
 * holds (the wallet is large) reach the upstream at most 10 times; the rest are refused with the token's
 * quota error and cost nothing; each admitted answer is charged in full to the wallet and the token.
 */
import { type AppHarness, appTest } from "../support/app.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { startFakeUpstream } from "../fake_upstream/mod.ts";
import { chat, fakeChannel, heldCount, relaySetup, settled, userQuota } from "../support/relay.ts";
import { asInt, queryOne } from "../../store/db.ts";
import { absoluteBalanceSql, LEASED_TOKEN_QUOTA, LeaseKind } from "../../store/quota_leases.ts";

const sum = async (h: AppHarness, sql: string) => asInt((await queryOne(h.deps.db, sql))!.v);

appTest(
  "100 concurrent requests against a token worth 10 holds reach the upstream at most 10 times",
  async (h) => {
    await using fake = await startFakeUpstream({ latencyMs: 300 });
    const wallet = 10_000_000;
    const s = await relaySetup(h, {
      channels: [fakeChannel(fake.url)],
      userQuota: wallet,
      // Below 100 × the hold: requests pre-charge (New API's rule skips the hold above it).
      token: { unlimitedQuota: false, remainQuota: 10_000 },
    });
    const body = {
      model: "test-model",
      max_tokens: 50,
      messages: [{ role: "user", content: "[fake:chunks=50] " + "a".repeat(300) }],
    };
    // One request to learn the hold of this exact request.
    assertEquals((await chat(h, s.key, body)).status, 200);
    await settled(h);
    const hold = await sum(h, "SELECT amount AS v FROM quota_reservations");
    const first = await sum(h, "SELECT COALESCE(SUM(quota), 0) AS v FROM logs WHERE type = 2");
    fake.reset();
    const start = 10 * hold;
    // The balance as readers see it (quota leased out to instances on PostgreSQL and MySQL included).
    await h.deps.db.exec(`UPDATE tokens SET ${absoluteBalanceSql(LeaseKind.token)} WHERE id = ?`, [
      start,
      s.tokenId,
    ]);
    await h.deps.cache.publish({ kind: "token", id: s.tokenId });
    const walletBefore = await userQuota(h, s.userId);

    const answers = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const res = await chat(h, s.key, body);
        return { status: res.status, body: await res.json() };
      }),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status !== 200);
    assert(ok >= 1 && ok <= 10, `${ok} succeeded`);
    assert(
      refused.every((a) => a.status === 403 && a.body.error.code === "pre_consume_token_quota_failed"),
      JSON.stringify(refused.find((a) => a.body.error?.code !== "pre_consume_token_quota_failed")),
    );
    assertEquals(fake.requests.length, ok, "only admitted requests reached the upstream");
    await settled(h);
    assertEquals(await heldCount(h), 0);

    const spent = await sum(h, "SELECT COALESCE(SUM(quota), 0) AS v FROM logs WHERE type = 2") - first;
    const logged = await sum(h, "SELECT COUNT(*) AS v FROM logs WHERE type = 2");
    assertEquals(logged, ok + 1, "one consume row per admitted request");
    const remain = await sum(h, `SELECT ${LEASED_TOKEN_QUOTA} AS v FROM tokens WHERE id = ${s.tokenId}`);
    assertEquals(start - remain, spent, "the token moved by exactly the full charges");
    assertEquals(walletBefore - (await userQuota(h, s.userId)), spent, "the wallet paid the same");
    // remain_quota limits admission, not the charge: it may go below 0 only by what admitted answers overran.
    const overran = await sum(
      h,
      "SELECT COALESCE(SUM(CASE WHEN settled_quota > amount THEN settled_quota - amount ELSE 0 END), 0) AS v FROM quota_reservations",
    );
    assert(remain >= -overran, `remain ${remain}, overran ${overran}`);
    assertEquals(await sum(h, "SELECT COUNT(*) AS v FROM logs WHERE type = 2 AND quota < 0"), 0);
  },
);
