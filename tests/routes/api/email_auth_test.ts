/**
 * Email verification and password reset through the real SMTP client into the fake sink: sign-up with the
 * mailed code, wrong/reused/expired codes, the attempt limit, the reset link end to end, an unknown address
 * answered like a known one, the domain whitelist and alias rule, binding an address.
 */
import { assert, assertEquals, assertMatch } from "../../support/assert.ts";
import { type AppHarness, appTest } from "../../support/app.ts";
import { anonymous, cast, login, ORIGIN } from "../../support/console_client.ts";
import { type FakeSmtp, startFakeSmtp } from "../../support/fake_smtp.ts";
import { emailCodeStore, MAX_CODE_ATTEMPTS } from "../../../auth/email_codes.ts";
import { testSecrets } from "../../support/stores.ts";
import { queryOne } from "../../../store/db.ts";

/** Root sets the SMTP options (and `extra`) through the API, pointing at a fresh sink. */
async function withMail(h: AppHarness, extra: Record<string, string> = {}) {
  const people = await cast(h);
  const smtp = await startFakeSmtp();
  const options = {
    SMTPServer: "127.0.0.1",
    SMTPPort: String(smtp.port),
    SMTPFrom: "noreply@example.com",
    SystemName: "Gateway",
    ServerAddress: "https://gw.example.com",
    ...extra,
  };
  for (const [key, value] of Object.entries(options)) {
    const res = await people.root.call("PUT", "/api/option/", { key, value });
    assertEquals(res.body.success, true, `${key}: ${res.text}`);
  }
  return { ...people, smtp };
}

/** The HTML body of the `n`th mail, decoded, once it has arrived. */
async function mailText(smtp: FakeSmtp, n: number): Promise<string> {
  for (let i = 0; i < 200 && smtp.mails.length <= n; i++) await new Promise((r) => setTimeout(r, 10));
  const mail = smtp.mails[n];
  assert(mail, `mail #${n} never arrived`);
  const body = mail.data.split("\r\n\r\n").slice(1).join("").replace(/\r\n/g, "");
  return new TextDecoder().decode(Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0)));
}

const codeIn = (html: string) => html.match(/code is ([0-9a-f]{6})\./)![1];
const register = (h: AppHarness, username: string, email?: string, code?: string) =>
  anonymous(h, "POST", "/api/user/register", {
    username,
    password: "new-password-1",
    email,
    verification_code: code,
  }, { origin: ORIGIN });

appTest(
  "sign-up with EmailVerificationEnabled takes the mailed code once; wrong and reused codes are refused",
  async (h) => {
    const { smtp } = await withMail(h, { EmailVerificationEnabled: "true" });
    try {
      assertEquals((await register(h, "carol")).status, 400, "no email nor code");
      const sent = await anonymous(h, "GET", "/api/verification?email=Carol@Example.com");
      assertEquals(sent.body.success, true, sent.text);
      assertEquals(smtp.mails[0].to, ["carol@example.com"]);
      const code = codeIn(await mailText(smtp, 0));
      const wrong = await register(h, "carol", "carol@example.com", code === "000000" ? "000001" : "000000");
      assertEquals([wrong.status, wrong.body.message], [
        400,
        "The verification code is wrong or has expired.",
      ]);
      const done = await register(h, "carol", "carol@example.com", code);
      assertEquals(done.body.success, true, "a wrong guess did not spend the right code: " + done.text);
      const row = await queryOne(h.deps.db, "SELECT email FROM users WHERE username = ?", ["carol"]);
      assertEquals(row?.email, "carol@example.com");
      assertEquals((await register(h, "carol2", "carol@example.com", code)).status, 400, "reused code");
      const taken = await anonymous(h, "GET", "/api/verification?email=carol@example.com");
      assertEquals([taken.status, taken.body.success], [409, false]);
      assertEquals(smtp.mails.length, 1, "no code for a taken address");
    } finally {
      await smtp.close();
    }
  },
);

appTest(`a code is dropped after ${MAX_CODE_ATTEMPTS} wrong guesses`, async (h) => {
  const { smtp } = await withMail(h, { EmailVerificationEnabled: "true" });
  try {
    assertEquals((await anonymous(h, "GET", "/api/verification?email=dan@example.com")).status, 200);
    const code = codeIn(await mailText(smtp, 0));
    const other = code === "abcdef" ? "fedcba" : "abcdef";
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) {
      assertEquals((await register(h, "dan", "dan@example.com", other)).status, 400);
    }
    assertEquals((await register(h, "dan", "dan@example.com", code)).status, 400, "the right code is gone");
  } finally {
    await smtp.close();
  }
});

appTest("an expired code is refused", async (h) => {
  const codes = emailCodeStore(h.deps.kv, testSecrets.sessionSecret, 50);
  await codes.issue("v", "eve@example.com", "123abc");
  await new Promise((r) => setTimeout(r, 80));
  assertEquals(await codes.consume("v", "eve@example.com", "123abc"), false);
  await codes.issue("r", "eve@example.com", "123abc");
  assertEquals(await codes.consume("v", "eve@example.com", "123abc"), false, "purposes are apart");
  assertEquals(await codes.consume("r", "EVE@example.com ", "123abc"), true);
});

appTest(
  "password reset: bound email, mailed link, new password; unknown address answered alike, sent nothing",
  async (h) => {
    const { alice, smtp } = await withMail(h);
    try {
      // Alice binds her address with a mailed code first.
      assertEquals((await alice.call("GET", "/api/verification?email=alice@example.com")).status, 200);
      const code = codeIn(await mailText(smtp, 0));
      const bound = await alice.call("POST", "/api/oauth/email/bind", { email: "alice@example.com", code });
      assertEquals(bound.body.success, true, bound.text);
      assertEquals((await alice.call("GET", "/api/user/self")).body.data.email, "alice@example.com");

      const unknown = await anonymous(h, "GET", "/api/reset_password?email=nobody@example.com");
      const known = await anonymous(h, "GET", "/api/reset_password?email=Alice@example.com");
      assertEquals([unknown.status, unknown.text], [known.status, known.text]);
      const html = await mailText(smtp, 1);
      await new Promise((r) => setTimeout(r, 100));
      assertEquals(smtp.mails.map((m) => m.to[0]), ["alice@example.com", "alice@example.com"]);
      const link = new URL(html.match(/href="([^"]+)"/)![1].replaceAll("&#38;", "&"));
      assertEquals(link.origin + link.pathname, "https://gw.example.com/user/reset");
      const token = link.searchParams.get("token")!;
      assertMatch(token, /^[0-9a-f]{32}$/);

      const bad = await anonymous(h, "POST", "/api/user/reset", {
        email: "alice@example.com",
        token: "0".repeat(32),
      }, {
        origin: ORIGIN,
      });
      assertEquals([bad.status, bad.body.message], [
        400,
        "The password reset link is invalid or has expired.",
      ]);
      const reset = await anonymous(h, "POST", "/api/user/reset", { email: "alice@example.com", token }, {
        origin: ORIGIN,
      });
      assertEquals(reset.body.success, true, reset.text);
      const password = reset.body.data as string;
      assert(password.length >= 12);
      assertEquals((await alice.call("GET", "/api/user/self")).status, 401, "the old session ended");
      const old = await anonymous(h, "POST", "/api/user/login", {
        username: "alice",
        password: "alice-password",
      }, {
        origin: ORIGIN,
      });
      assertEquals(old.status, 401);
      await login(h, "alice", password);
      const again = await anonymous(h, "POST", "/api/user/reset", { email: "alice@example.com", token }, {
        origin: ORIGIN,
      });
      assertEquals(again.status, 400, "the token is single use");
    } finally {
      await smtp.close();
    }
  },
);

appTest("the domain whitelist and the alias rule refuse addresses before any mail", async (h) => {
  const { smtp } = await withMail(h, {
    EmailDomainRestrictionEnabled: "true",
    EmailDomainWhitelist: "example.com, corp.example",
    EmailAliasRestrictionEnabled: "true",
  });
  try {
    const other = await anonymous(h, "GET", "/api/verification?email=x@other.org");
    assertEquals([other.status, other.body.success], [403, false]);
    assertEquals((await anonymous(h, "GET", "/api/verification?email=a%2Bb@example.com")).status, 403);
    assertEquals((await anonymous(h, "GET", "/api/verification?email=not-an-address")).status, 400);
    assertEquals((await anonymous(h, "GET", "/api/verification")).status, 400);
    assertEquals(smtp.mails.length, 0);
    assertEquals((await anonymous(h, "GET", "/api/verification?email=x@corp.example")).status, 200);
    assertEquals(smtp.mails.length, 1);
  } finally {
    await smtp.close();
  }
});

appTest(
  "without an SMTP server a code request answers 503, and binding needs a signed-in user",
  async (h) => {
    await cast(h);
    const res = await anonymous(h, "GET", "/api/verification?email=z@example.com");
    assertEquals([res.status, res.body.success], [503, false]);
    const bind = await anonymous(h, "POST", "/api/oauth/email/bind", { email: "z@example.com", code: "x" }, {
      origin: ORIGIN,
    });
    assertEquals(bind.status, 401);
  },
);

appTest("binding refuses an address another account already has, even with a valid code", async (h) => {
  const { alice, bob } = await cast(h);
  const codes = emailCodeStore(h.deps.kv, testSecrets.sessionSecret);
  await codes.issue("v", "shared@example.com", "aaa111");
  const first = await alice.call("POST", "/api/oauth/email/bind", {
    email: "shared@example.com",
    code: "aaa111",
  });
  assertEquals(first.body.success, true, first.text);
  // A code for an address that was free when it was sent, spent after someone else bound it.
  await codes.issue("v", "Shared@example.com", "bbb222");
  const second = await bob.call("POST", "/api/oauth/email/bind", {
    email: "shared@example.com",
    code: "bbb222",
  });
  assertEquals([second.status, second.body.success], [409, false]);
  assertEquals((await bob.call("GET", "/api/user/self")).body.data.email, "");
});
