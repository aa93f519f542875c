/**
 * Prometheus metrics (`GET /metrics`, in the text format of `server/prometheus.ts`; npm `prom-client`
 * breaks `deno compile` on Deno 2.9, see there). One registry per app, so two apps in one test process
 * do not share counters.
 *
 * Names follow OpenTelemetry's GenAI semantic conventions where they name the thing
 * (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`, `gen_ai.server.time_to_first_token`,
 * with `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`, `error.type` as labels,
 * dots as underscores); the rest are `new_api_*`. `new_api_channel_state` is New API's own gauge, with its
 * labels, so its dashboards keep working.
 *
 * Labels are bounded: the model label is set only once a channel served the request (the model is then
 * one the catalog routes), errors before that carry the endpoint and the HTTP status only.
 */
import process from "node:process";
import { Counter, Gauge, Histogram, Registry } from "./prometheus.ts";
import { statementTimings } from "../store/db.ts";
import { keyTimings } from "../kv/timings.ts";

export interface RelayServed {
  endpoint: string;
  model: string;
  provider: string;
  stream: boolean;
  /** How the request ended (`completed`, `client_gone`, ...). */
  end: string;
  durationMs: number;
  /** First byte of the answer after arrival (streams). */
  firstResponseMs?: number;
  inputTokens: number;
  outputTokens: number;
  quota: number;
}

export interface RelayRefused {
  endpoint: string;
  status: number;
  durationMs: number;
}

/** Live values read at scrape time. */
export interface MetricsSources {
  inflight(): number;
  openHolds(): number;
  /** Settlements accepted but not yet committed (the quota book's journal lag), when there is one. */
  journalPending(): number;
  channels(): Iterable<{ id: number; type: number; status: number }>;
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

function channelState(status: number): string {
  if (status === 1) return "enabled";
  if (status === 2) return "manually_disabled";
  if (status === 3) return "auto_disabled";
  return "unknown";
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #duration: Histogram;
  readonly #tokens: Histogram;
  readonly #ttft: Histogram;
  readonly #requests: Counter;
  readonly #quota: Counter;
  readonly #upstreamFailures: Counter;
  #lagTimer?: ReturnType<typeof setInterval>;

  constructor(sources?: MetricsSources, opts: { processMetrics?: boolean } = {}) {
    const r = this.registry;
    this.#duration = r.register(
      new Histogram(
        "gen_ai_client_operation_duration_seconds",
        "Relay request duration, arrival to the end of the answer (streams included).",
        ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_provider_name", "error_type"],
        SECONDS,
      ),
    );
    this.#tokens = r.register(
      new Histogram(
        "gen_ai_client_token_usage",
        "Tokens billed per request, by gen_ai_token_type (input, output).",
        ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_token_type"],
        TOKENS,
      ),
    );
    this.#ttft = r.register(
      new Histogram(
        "gen_ai_server_time_to_first_token_seconds",
        "Streams: arrival to the first byte of the answer.",
        ["gen_ai_operation_name", "gen_ai_request_model"],
        SECONDS,
      ),
    );
    this.#requests = r.register(
      new Counter(
        "new_api_relay_requests_total",
        "Relay requests by endpoint, outcome (completed, client_gone, ... or the HTTP status of a refusal).",
        ["endpoint", "outcome", "stream"],
      ),
    );
    this.#quota = r.register(
      new Counter(
        "new_api_quota_charged_total",
        "Quota charged by settled relay requests (500000 = $1 by default).",
        ["gen_ai_request_model"],
      ),
    );
    this.#upstreamFailures = r.register(
      new Counter(
        "new_api_upstream_failures_total",
        "Failed upstream attempts (before the answer started), by channel and upstream status (0: no answer).",
        ["channel_id", "channel_type", "status"],
      ),
    );
    const statements = r.register(
      new Histogram(
        "new_api_store_statement_duration_seconds",
        "SQL statement duration (waiting for a pooled connection included), by store.",
        ["store"],
        [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      ),
    );
    // Process-wide: the last app built in this process receives the timings (one app in production).
    statementTimings.observe = (store, ms) => statements.observe({ store }, ms / 1000);
    const keyOps = r.register(
      new Histogram(
        "new_api_kv_operation_duration_seconds",
        "Round trips to the key store of limits, slots, lockouts and throttles: Deno KV reads and atomic commits, Redis reads and compare-and-sets.",
        ["store", "operation"],
        [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      ),
    );
    keyTimings.observe = (store, operation, ms) => keyOps.observe({ store, operation }, ms / 1000);
    if (opts.processMetrics ?? true) this.#processMetrics();
    if (!sources) return;
    r.register(
      new Gauge(
        "new_api_relay_inflight_requests",
        "Relay requests in flight on this instance (open streams included).",
        [],
        (g) => g.set({}, sources.inflight()),
      ),
    );
    r.register(
      new Gauge(
        "new_api_billing_open_holds",
        "Quota holds of requests still running on this instance.",
        [],
        (g) => g.set({}, sources.openHolds()),
      ),
    );
    r.register(
      new Gauge(
        "new_api_billing_journal_pending",
        "Settlements answered but not yet committed to the store (the group commit's lag).",
        [],
        (g) => g.set({}, sources.journalPending()),
      ),
    );
    r.register(
      new Gauge(
        "new_api_channel_state",
        "Current persisted state of an AI channel (1 = current state).",
        ["channel_id", "channel_type", "state"],
        (g) => {
          g.reset();
          for (const c of sources.channels()) {
            g.set(
              { channel_id: String(c.id), channel_type: String(c.type), state: channelState(c.status) },
              1,
            );
          }
        },
      ),
    );
  }

  /** CPU, memory, start time and the event loop's lag (the worst delay of a 500 ms timer since the last scrape). */
  #processMetrics(): void {
    const r = this.registry;
    const started = Date.now() / 1000 - performance.now() / 1000;
    let worstLag = 0;
    let expected = performance.now() + 500;
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, Math.max(0, now - expected) / 1000);
      expected = now + 500;
    }, 500);
    Deno.unrefTimer(this.#lagTimer as unknown as number);
    r.register(
      new Gauge(
        "process_resident_memory_bytes",
        "Resident memory size in bytes.",
        [],
        (g) => g.set({}, Deno.memoryUsage().rss),
      ),
    );
    r.register(
      new Gauge(
        "process_heap_bytes",
        "JavaScript heap in use, in bytes.",
        [],
        (g) => g.set({}, Deno.memoryUsage().heapUsed),
      ),
    );
    r.register(
      new Gauge("process_cpu_seconds_total", "User and system CPU time spent, in seconds.", [], (g) => {
        const u = process.cpuUsage();
        g.set({}, (u.user + u.system) / 1e6);
      }),
    );
    r.register(
      new Gauge(
        "process_start_time_seconds",
        "Start time of the process since the epoch, in seconds.",
        [],
        (g) => g.set({}, Math.round(started)),
      ),
    );
    r.register(
      new Gauge(
        "new_api_event_loop_lag_seconds",
        "The event loop's worst delay since the previous scrape (a 500 ms timer's lateness).",
        [],
        (g) => {
          g.set({}, worstLag);
          worstLag = 0;
        },
      ),
    );
  }

  /** Stops the event-loop sampler (the app is shutting down). */
  stop(): void {
    if (this.#lagTimer !== undefined) clearInterval(this.#lagTimer);
    this.#lagTimer = undefined;
  }

  /** A request a channel served (to its end, or cut), after its settlement. */
  served(r: RelayServed): void {
    const op = r.endpoint;
    this.#requests.inc({ endpoint: op, outcome: r.end, stream: String(r.stream) });
    this.#duration.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_provider_name: r.provider,
      error_type: r.end === "completed" ? "" : r.end,
    }, r.durationMs / 1000);
    this.#tokens.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_token_type: "input",
    }, r.inputTokens);
    this.#tokens.observe({
      gen_ai_operation_name: op,
      gen_ai_request_model: r.model,
      gen_ai_token_type: "output",
    }, r.outputTokens);
    if (r.stream && r.firstResponseMs !== undefined) {
      this.#ttft.observe(
        { gen_ai_operation_name: op, gen_ai_request_model: r.model },
        r.firstResponseMs / 1000,
      );
    }
    if (r.quota > 0) this.#quota.inc({ gen_ai_request_model: r.model }, r.quota);
  }

  /** A request answered with an error before any channel's answer reached the client. */
  refused(r: RelayRefused): void {
    const status = String(r.status);
    this.#requests.inc({ endpoint: r.endpoint, outcome: status, stream: "" });
    this.#duration.observe({
      gen_ai_operation_name: r.endpoint,
      gen_ai_request_model: "",
      gen_ai_provider_name: "",
      error_type: status,
    }, r.durationMs / 1000);
  }

  upstreamFailure(channelId: number, channelType: number, status: number): void {
    this.#upstreamFailures.inc({
      channel_id: String(channelId),
      channel_type: String(channelType),
      status: String(status),
    });
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  render(): Promise<{ body: string; contentType: string }> {
    return Promise.resolve({ body: this.registry.render(), contentType: this.registry.contentType });
  }
}
