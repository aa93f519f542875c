/**
 * The T01–T36 acceptance plan of reliability-and-security.md §6, each row mapped to the tests that pin it.
 * `scripts/security_report.ts` reads a JUnit report of a test run against this plan: a row is held when
 * every pin has passing tests and none fails, broken when one fails, missing when a pin has no result
 * (file not written yet, not run, or renamed), n.a. when the project deliberately does not do it.
 */

/** Tests in `file` (path from the repository root) whose JUnit name contains `test`; all of them if absent. */
export interface Pin {
  file: string;
  test?: string;
}

export interface PlanRow {
  id: string;
  name: string;
  attack: string;
  expected: string;
  pins: Pin[];
  /** Not applicable: why the project does not do this. */
  na?: string;
  /** The behaviour is not built: the row is missing whatever its pins say. */
  notBuilt?: string;
  /** Parts of the attack no pin covers yet (shown in the report, not scored). */
  gaps?: string;
}

const pins = (file: string, ...tests: string[]): Pin[] =>
  tests.length === 0 ? [{ file }] : tests.map((test) => ({ file, test }));

const R = "tests/relay/routes/";
const B = "tests/relay/billing/";
const A = "tests/routes/api/";
const S = "tests/security/";

export const PLAN: PlanRow[] = [
  {
    id: "T01",
    name: "concurrent-overdraft-user",
    attack: "balance worth 10 requests, 100 concurrent requests",
    expected: "≤10 succeed, the rest refused; balance ≥ 0 (overdraft rule); upstream saw ≤10",
    pins: [
      ...pins(B + "ledger_test.ts", "against a user balance worth 10"),
      ...pins(R + "relay_billing_test.ts", "100 concurrent requests against a balance worth 10"),
    ],
    gaps: "no trust threshold exists to repeat the run above",
  },
  {
    id: "T02",
    name: "concurrent-overdraft-token",
    attack: "as T01 against a token-level limit",
    expected: "same bounds on remain_quota",
    pins: [
      ...pins(B + "ledger_test.ts", "against a token balance worth 10"),
      ...pins(S + "t02_concurrent_overdraft_token_test.ts"),
    ],
  },
  {
    id: "T03",
    name: "exact-settlement",
    attack: "usage P=100, C=50, stream and non-stream; settle twice",
    expected: "one ledger entry of 200; hold released; repeated settle is a no-op",
    pins: [
      ...pins(B + "ledger_test.ts", "P=100, C=50 is charged exactly 200", "settling twice charges once"),
      ...pins(R + "relay_billing_test.ts", "P=100, C=50 is charged exactly 200 through the relay"),
      ...pins(B + "pricing_test.ts", "P=100, C=50 costs exactly 200"),
    ],
  },
  {
    id: "T04",
    name: "quantity-bounds-overflow",
    attack: 'n=2^64-ish, -1, "1e9"; max_tokens=2^63; huge seconds/size/image count',
    expected: "400 before any upstream call; balance unchanged; no negative consume entry",
    pins: [
      ...pins(B + "request_bounds_test.ts"),
      ...pins(R + "bad_input_test.ts", "malformed requests are 400s before anything is spent or sent"),
      ...pins(S + "t04_quantity_bounds_overflow_test.ts"),
    ],
  },
  {
    id: "T05",
    name: "hostile-upstream-usage",
    attack: "upstream usage −1e6, 1e15, NaN",
    expected: "charge clamped to [0, cap] and flagged; never a credit",
    pins: [
      ...pins(B + "usage_test.ts", "hostile counts"),
      ...pins(B + "ledger_test.ts", "hostile upstream usage"),
      ...pins(B + "pricing_test.ts", "hostile ratios and multipliers saturate"),
    ],
  },
  {
    id: "T06",
    name: "stream-happy-path",
    attack: "a stream with a final usage chunk",
    expected: "every chunk and one [DONE]; one ledger entry = usage price; include_usage forced upstream",
    pins: pins(S + "t06_stream_happy_path_test.ts"),
  },
  {
    id: "T07",
    name: "client-disconnect-mid-stream",
    attack: "client reads 3 chunks then closes",
    expected: "drain for usage within a bound, else prompt + delivered; never 0; hold terminal",
    pins: [
      ...pins(R + "stream_end_test.ts", "a client leaving mid-stream"),
      ...pins(B + "stream_end_test.ts", "client gone mid-stream without usage"),
      ...pins("tests/relay/server_relay_test.ts", "a client disconnecting from the real server mid-stream"),
      ...pins(B + "ledger_test.ts", "a disconnect after delivered tokens"),
    ],
  },
  {
    id: "T08",
    name: "client-disconnect-before-first-byte",
    attack: "upstream first byte slow; client leaves first",
    expected: "upstream cancelled; charge 0; hold released",
    pins: [
      ...pins(R + "stream_end_test.ts", "a client leaving before the first byte"),
      ...pins("tests/relay/http/upstream_client_test.ts", "a caller abort before the headers"),
    ],
  },
  {
    id: "T09",
    name: "upstream-breaks-mid-stream",
    attack: "k chunks then a TCP reset, no usage",
    expected: "error event, not [DONE]; no failover after bytes; billed for delivered tokens",
    pins: [
      ...pins(R + "stream_end_test.ts", "a cut upstream stream ends with an error event"),
      ...pins("tests/relay/formats/pitfalls_streams_test.ts", "truncated_upstream_stream_ends_with_an_error"),
      ...pins("tests/relay/routing/retry_policy_test.ts", "no retry after the first byte"),
    ],
  },
  {
    id: "T10",
    name: "error-inside-200-stream",
    attack: 'HTTP 200 then data: {"error":…}',
    expected: "a well-formed error to the client; charge 0 without content",
    pins: [
      ...pins(R + "stream_end_test.ts", "an error inside a 200 stream reaches the client sanitized"),
      ...pins("tests/relay/formats/pitfalls_streams_test.ts", "mid_stream_upstream_error_is_rendered"),
    ],
    gaps: "the channel health counter is not asserted",
  },
  {
    id: "T11",
    name: "429-failover",
    attack: "channel A answers 429 with Retry-After, B healthy",
    expected: "served by B; A not disabled; one charge",
    pins: pins(R + "failover_test.ts", "a 429 from channel A is retried on channel B and charged once"),
  },
  {
    id: "T12",
    name: "5xx-retry-backoff",
    attack: "A answers 500, B healthy; retries bounded by RetryTimes",
    expected: "success; attempts ≤ configured; one charge",
    pins: [
      ...pins(R + "failover_test.ts", "a 500 from channel A is retried on channel B", "RetryTimes 0"),
      ...pins("tests/relay/routing/retry_policy_test.ts", "retryable statuses follow New API"),
    ],
    gaps: "New API retries on another channel at once: no backoff or jitter between attempts",
  },
  {
    id: "T13",
    name: "user-error-no-retry",
    attack: "upstream answers 400",
    expected: "not retried, channel not penalised, sanitised 400, charge 0",
    pins: pins(R + "failover_test.ts", "a 400 is not retried"),
  },
  {
    id: "T14",
    name: "bad-upstream-key",
    attack: "A answers 401 echoing the key (plain, URL-encoded, split)",
    expected: "A's key disabled, failover to B; no part of the key reaches the user or their logs",
    pins: [
      ...pins(R + "failover_test.ts", "a 401 disables the channel", "a final 401 reaches the client"),
      ...pins("tests/relay/pipeline/sanitize_test.ts"),
      ...pins(S + "secret_redaction_encodings_test.ts"),
      ...pins(S + "upstream_error_non_admin_test.ts"),
    ],
  },
  {
    id: "T15",
    name: "all-upstreams-down",
    attack: "every channel refuses connections, or hangs",
    expected: "5xx within per-try timeout × attempts + ε; hold released",
    pins: [
      ...pins(R + "failover_test.ts", "when every channel refuses connections"),
      ...pins(R + "failover_test.ts", "an upstream that never answers times out"),
      ...pins(S + "t15_all_upstreams_down_test.ts"),
    ],
    gaps: "process-wide connection counts are not measured (each hanging connection is seen closed)",
  },
  {
    id: "T16",
    name: "first-byte-timeout",
    attack: "upstream accepts TCP, never sends headers",
    expected: "504 or failover at the configured TTFB; charge 0",
    pins: [
      ...pins(R + "failover_test.ts", "an upstream that never answers times out at RELAY_FIRST_BYTE_TIMEOUT"),
      ...pins("tests/relay/http/upstream_client_test.ts", "first-byte timeout"),
    ],
  },
  {
    id: "T17",
    name: "stream-idle-vs-long-stream",
    attack: "(a) 2 chunks then a stall; (b) slow steady stream past the idle timeout",
    expected: "(a) error event after the idle timeout, billed for delivered; (b) not cut off",
    pins: [
      ...pins(R + "stream_end_test.ts", "a stalled upstream stream ends with a timeout error event"),
      ...pins(R + "stream_end_test.ts", "a slow but steady stream is not cut by the idle timeout"),
      ...pins("tests/relay/http/upstream_client_test.ts", "a slow reader is not an idle upstream"),
    ],
  },
  {
    id: "T18",
    name: "circuit-breaker-recovery",
    attack: "A fails 5 times in a row",
    expected: "A ejected, probed after the ejection time, re-admitted on success",
    pins: [
      ...pins("tests/security/t18_circuit_breaker_test.ts"),
      ...pins("tests/relay/health/channel_health_test.ts", "testing all channels disables a slow one"),
    ],
  },
  {
    id: "T19",
    name: "body-and-bomb-limits",
    attack: "200 MiB JSON; gzip bomb to 1 GiB; 1 MiB to anonymous routes",
    expected: "413 fast; RSS bounded; anonymous routes capped (512 KiB)",
    pins: [
      ...pins(R + "bad_input_test.ts", "bodies over MAX_REQUEST_BODY_MB are 413"),
      ...pins(S + "t19_body_and_bomb_limits_test.ts"),
    ],
  },
  {
    id: "T20",
    name: "slowloris",
    attack: "500 connections each sending one header byte every 10 s",
    expected: "normal requests unaffected; slow connections closed at the header timeout",
    pins: [],
    notBuilt:
      "no header-read timeout: Deno.serve has none (measured on 2.9.6: a connection sending one header byte every 2 s was still open after 70 s); put a reverse proxy with a header timeout in front",
  },
  {
    id: "T21",
    name: "oversized-sse-line",
    attack: "a 10 MiB data: line, or a line that is not an event",
    expected: "rejected cleanly by the documented limit; memory bounded; never a silent [DONE]",
    pins: [
      ...pins(R + "stream_end_test.ts", "an SSE line over STREAM_SCANNER_MAX_BUFFER_MB"),
      ...pins("tests/relay/sse/parser_test.ts", "a line longer than the buffer limit", "work is linear"),
      ...pins("tests/relay/sse/event_reader_test.ts", "a line past the buffer limit"),
      ...pins(S + "passthrough_garbage_line_test.ts"),
    ],
  },
  {
    id: "T22",
    name: "malformed-input",
    attack: "invalid JSON, wrong types, NaN, unknown model, empty messages, bad Content-Type",
    expected: "400 in the caller's error shape; never 500; no upstream call; no charge",
    pins: [
      ...pins(R + "bad_input_test.ts", "malformed requests are 400s"),
      ...pins("tests/relay/formats/malformed_requests_test.ts"),
      ...pins("tests/relay/native/malformed_test.ts"),
      ...pins(A + "bad_input_test.ts"),
      ...pins(S + "passthrough_content_type_test.ts"),
    ],
  },
  {
    id: "T23",
    name: "ssrf-matrix",
    attack: "user URLs at loopback/private/metadata in every spelling, redirects, DNS rebinding",
    expected: "refused at connect time on the resolved IP; canary sees nothing; size and time caps",
    pins: [
      ...pins("tests/net/ssrf_fetch_test.ts"),
      ...pins("tests/net/ip_test.ts"),
      ...pins("tests/net/fetch_setting_test.ts"),
      ...pins("tests/notify/notifier_test.ts", "a webhook URL pointing inside the network is refused"),
      ...pins(A + "authorization_test.ts", "common users get 403 on admin routes"),
    ],
  },
  {
    id: "T24",
    name: "bola-idor",
    attack: "user A reads/changes/deletes B's tokens, logs, redemption records",
    expected: "404 or 403 for each; lists and searches return only A's objects",
    pins: [
      ...pins(A + "authorization_test.ts", "a user cannot read, change, regenerate or delete another user"),
      ...pins("tests/store/repositories_test.ts", "a user cannot read or change another user's token"),
      ...pins(A + "logs_test.ts", "users see only their own rows"),
      ...pins(A + "task_logs_test.ts", "task listings: users see their own, admins everyone's"),
      ...pins(
        "tests/relay/tasks/midjourney_test.ts",
        "midjourney imagine: charged once at submit, polled to SUCCESS, image served to its owner",
      ),
      ...pins(
        "tests/relay/tasks/suno_test.ts",
        "suno music: charged once, polled to SUCCESS with clips, fetch is the owner's",
      ),
      ...pins(
        "tests/relay/tasks/video_test.ts",
        "openai videos: create with the SDK, charged seconds × price once, polled to completed, content to the owner",
      ),
    ],
    gaps: "no top-up orders exist to probe",
  },
  {
    id: "T25",
    name: "bfla-and-field-exposure",
    attack: "common user on admin routes, admin on root routes; secrets in list/detail JSON",
    expected: "403 for all; no password, access token, key or 2FA secret in any answer",
    pins: [
      ...pins(
        A + "authorization_test.ts",
        "common users get 403 on admin routes",
        "an admin gets 403 on root",
      ),
      ...pins(A + "secret_exposure_test.ts", "no GET route, for any role"),
      ...pins(A + "users_admin_test.ts", "no secrets in rows", "not the secrets kept in their settings"),
      ...pins(A + "options_test.ts", "never secret ones"),
      ...pins(S + "admin_self_credit_test.ts"),
      ...pins(S + "upstream_error_non_admin_test.ts"),
    ],
  },
  {
    id: "T26",
    name: "mass-assignment",
    attack: "PUT /api/user/self with quota, role, group, status; token create with forbidden fields",
    expected: "fields ignored or 400; balance and role unchanged",
    pins: [
      ...pins(A + "user_self_test.ts", "PUT /api/user/self ignores quota, role, group and status"),
      ...pins(S + "t26_mass_assignment_test.ts"),
    ],
  },
  {
    id: "T27",
    name: "auth-edge-cases",
    attack: "no/empty/bare keys, channel pin by a non-admin, disabled user, expired/exhausted token, XFF",
    expected: "401/403; one generic 401 for unknown and wrong keys; revocation effective; XFF ignored",
    pins: [
      ...pins(R + "bad_input_test.ts", "key problems are 401/403", "a token's IP allow-list holds"),
      ...pins(
        A + "sessions_test.ts",
        "access tokens: stored hashed",
        "demotion and disabling end sessions and access tokens",
      ),
      ...pins(
        "tests/server/client_ip_test.ts",
        "a spoofed X-Forwarded-For from an untrusted peer is ignored",
      ),
      ...pins(S + "client_ip_spoofing_test.ts"),
      ...pins(S + "forwarded_proto_host_test.ts"),
      ...pins(S + "access_token_revoked_test.ts"),
    ],
  },
  {
    id: "T28",
    name: "session-csrf-cors",
    attack:
      "cookie flags; cross-site POST; CORS preflight with credentials; reuse a logged-out cookie; demote",
    expected: "HttpOnly+Secure+SameSite; cross-origin writes refused; no credentialed CORS; old cookie dead",
    pins: [
      ...pins(A + "sessions_test.ts", "login sets an HttpOnly SameSite=Strict session cookie"),
      ...pins(A + "sessions_test.ts", "cookie writes must be same-origin", "the old cookie is dead"),
      ...pins(
        A + "sessions_test.ts",
        "demotion and disabling end sessions and access tokens on the next request",
      ),
      ...pins(A + "setup_test.ts", "a cross-site browser POST to setup is refused"),
      ...pins(A + "instances_test.ts", "an admin demoted, through one instance is refused by another"),
      ...pins(S + "t28_session_csrf_cors_test.ts"),
    ],
  },
  {
    id: "T29",
    name: "secrets-at-rest-and-logs",
    attack: "canary user and channel keys; traffic with errors; dump the DB, KV, logs and list answers",
    expected: "user key only hashed, channel key only encrypted; canaries in no log or answer",
    pins: [
      ...pins(A + "secret_exposure_test.ts"),
      ...pins("tests/store/repositories_test.ts", "token keys are stored only as keyed hashes"),
      ...pins("tests/store/repositories_test.ts", "channel keys are encrypted at rest"),
      ...pins("tests/store/adopt_new_api_test.ts", "plaintext secrets of a New API database are hashed"),
      ...pins(
        "tests/crypto/keys_test.ts",
        "token hashes are keyed",
        "channel keys round-trip through AES-GCM",
      ),
      ...pins(S + "secret_redaction_encodings_test.ts"),
      ...pins(S + "redemption_codes_hashed_test.ts"),
      ...pins(S + "webhook_secret_encrypted_test.ts"),
      ...pins(S + "files_private_test.ts"),
    ],
    gaps: "no channel-key reveal route exists (so no step-up); KV and Redis are not dumped",
  },
  {
    id: "T30",
    name: "payment-webhook-forgery-replay",
    attack: "forged, replayed and stale payment webhooks",
    expected: "no credit without a valid, fresh, matching event; credited once",
    pins: [
      ...pins("tests/payments/epay_top_up_test.ts"),
      ...pins("tests/payments/stripe_top_up_test.ts"),
      ...pins("tests/payments/creem_top_up_test.ts"),
      ...pins("tests/payments/subscription_pay_test.ts"),
    ],
    gaps: "Waffo is not built; Creem has no event timestamp to check freshness against (a replay credits " +
      "nothing: the order's status CAS); Stripe's unpaid `completed` event is acknowledged with 200 (its " +
      "async_payment_succeeded follows), not a 4xx",
  },
  {
    id: "T31",
    name: "redemption-race",
    attack: "one code redeemed 50× concurrently by 10 users",
    expected: "exactly one success, credited once, one used_user_id (SQLite and PostgreSQL)",
    pins: [
      ...pins(A + "redemptions_test.ts", "50 concurrent redemptions of one code by 10 users"),
      ...pins("tests/store/repositories_test.ts", "50 concurrent redemptions of one code"),
    ],
    gaps: "MySQL is not supported",
  },
  {
    id: "T32",
    name: "bootstrap-and-login-abuse",
    attack: "fresh install; 30 bad logins from rotating IPs; step-up and TOTP replay",
    expected: "no default credentials; per-account lockout; step-up and replays refused",
    pins: [
      ...pins(A + "setup_test.ts", "a fresh install has no account at all", "concurrent setup requests"),
      ...pins(S + "account_lockout_test.ts"),
      ...pins("tests/kv/limits/login_lockout_test.ts"),
      ...pins("tests/server/api_limits_test.ts", "login attempts beyond the critical limit"),
      ...pins(A + "secure_verify_test.ts"),
      ...pins(A + "two_fa_test.ts"),
    ],
  },
  {
    id: "T33",
    name: "crash-between-hold-and-settle",
    attack: "SIGKILL during in-flight streams and requests; restart",
    expected: "every HELD reservation resolved once; no double settlement; zero drift",
    pins: [
      ...pins(B + "crash_recovery_test.ts"),
      ...pins("tests/ops/crash_recovery_server_test.ts"),
      ...pins(B + "heartbeat_test.ts"),
    ],
  },
  {
    id: "T34",
    name: "graceful-drain",
    attack: "SIGTERM during active streams",
    expected: "new connections refused; streams finish or get an error at the deadline; settled once; exit 0",
    pins: pins(
      "tests/relay/server_relay_test.ts",
      "SIGTERM during a stream",
      "SIGTERM with a stream outliving",
    ),
  },
  {
    id: "T35",
    name: "soak-and-leaks",
    attack: "10 min at 1k RPS plus 500 streams with injected faults",
    expected: "p99 overhead in target; flat memory and descriptors; ledger exact",
    pins: [],
    na: "a 10-minute soak is out of CI time: `deno task bench --streams 1000 --minutes 10` runs it by hand",
  },
  {
    id: "T36",
    name: "rate-and-concurrency-limits",
    attack: "low RPM, TPM and concurrency; bursts from two processes sharing the store",
    expected: "limits hold globally; 429 with Retry-After; refused requests neither charged nor sent",
    pins: [
      ...pins("tests/kv/limits/token_limits_test.ts"),
      ...pins("tests/kv/limits/multi_process_test.ts"),
      ...pins(R + "limits_test.ts"),
    ],
    gaps: "limits are shared through Deno KV, not Redis",
  },
];
