/** The Anthropic Messages codec (`POST /v1/messages`). */
import type { Codec } from "../codec.ts";
import { decodeClaudeRequest } from "./request_decode.ts";
import { encodeClaudeRequest } from "./request_encode.ts";
import { decodeClaudeResponse, encodeClaudeResponse } from "./response.ts";
import { type ClaudeDecodeState, decodeClaudeStreamEvent, newClaudeStreamDecoder } from "./stream_decode.ts";
import {
  type ClaudeEncodeState,
  encodeClaudeStreamEvent,
  endClaudeStream,
  failClaudeStream,
  newClaudeStreamEncoder,
} from "./stream_encode.ts";

export const claudeCodec: Codec<ClaudeDecodeState, ClaudeEncodeState> = {
  dialect: "claude",
  decodeRequest: decodeClaudeRequest,
  encodeRequest: encodeClaudeRequest,
  decodeResponse: decodeClaudeResponse,
  encodeResponse: encodeClaudeResponse,
  newStreamDecoder: newClaudeStreamDecoder,
  decodeStreamEvent: decodeClaudeStreamEvent,
  newStreamEncoder: newClaudeStreamEncoder,
  encodeStreamEvent: encodeClaudeStreamEvent,
  endStream: endClaudeStream,
  failStream: failClaudeStream,
};
