/**
 * OpenTelemetry traces: a span per relay request, with the attempt's channel and the usage as GenAI
 * attributes (`gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.provider.name`,
 * `gen_ai.usage.input_tokens`, `gen_ai.usage.output_tokens`, `error.type`). Export is Deno's own OTLP
 * exporter (the runtime reads OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, OTEL_SERVICE_NAME and
 * registers itself behind npm `@opentelemetry/api`), which Deno turns on with OTEL_DENO=true; without it no
 * span is made and nothing is sent. `Deno.serve`'s own server span is the parent of the relay's span.
 */
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { log } from "./logger.ts";

/** Deno exports telemetry only when started with OTEL_DENO=true (read once, at start). */
const enabled = Deno.env.get("OTEL_DENO") === "true" || Deno.env.get("OTEL_DENO") === "1";
const tracer = enabled ? trace.getTracer("newapi-deno") : undefined;

/** Names what a set OTEL_EXPORTER_OTLP_ENDPOINT needs, once at start. */
export function noteTracingConfig(env: { get(name: string): string | undefined } = Deno.env): void {
  if (env.get("OTEL_EXPORTER_OTLP_ENDPOINT") && !enabled) {
    log.warn(
      "OTEL_EXPORTER_OTLP_ENDPOINT is set but traces are off: start with OTEL_DENO=true to export them",
    );
  }
}

export interface RelaySpanEnd {
  /** The endpoint's name (`chat_completions`, `claude_messages`, ...). */
  operation: string;
  model?: string;
  provider?: string;
  channelId?: number;
  stream?: boolean;
  inputTokens?: number;
  outputTokens?: number;
  quota?: number;
  /** `completed`, a cut stream's end, or the status of a refusal. */
  outcome: string;
  status?: number;
}

/** A relay request's span, or undefined when tracing is off (the common case costs one check). */
export function startRelaySpan(operation: string, requestId: string): Span | undefined {
  return tracer?.startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: { "gen_ai.operation.name": operation, "new_api.request_id": requestId },
  });
}

export function endRelaySpan(span: Span | undefined, end: RelaySpanEnd): void {
  if (!span) return;
  // GenAI convention: the span is named "{operation} {model}" once the model is known.
  if (end.model) span.updateName(`${end.operation} ${end.model}`);
  const attrs: Record<string, string | number | boolean> = { "new_api.outcome": end.outcome };
  if (end.model) attrs["gen_ai.request.model"] = end.model;
  if (end.provider) attrs["gen_ai.provider.name"] = end.provider;
  if (end.channelId !== undefined) attrs["new_api.channel_id"] = end.channelId;
  if (end.stream !== undefined) attrs["new_api.stream"] = end.stream;
  if (end.inputTokens !== undefined) attrs["gen_ai.usage.input_tokens"] = end.inputTokens;
  if (end.outputTokens !== undefined) attrs["gen_ai.usage.output_tokens"] = end.outputTokens;
  if (end.quota !== undefined) attrs["new_api.quota"] = end.quota;
  if (end.status !== undefined) attrs["http.response.status_code"] = end.status;
  span.setAttributes(attrs);
  if (end.outcome !== "completed") {
    span.setAttribute("error.type", end.outcome);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
