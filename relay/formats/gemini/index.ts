/** The Gemini generateContent codec (`/v1beta/models/{model}:generateContent` and `:streamGenerateContent`). */
import type { Codec } from "../codec.ts";
import { decodeGeminiRequest } from "./request_decode.ts";
import { encodeGeminiRequest } from "./request_encode.ts";
import { decodeGeminiResponse, encodeGeminiResponse } from "./response.ts";
import { decodeGeminiStreamEvent, type GeminiDecodeState, newGeminiStreamDecoder } from "./stream_decode.ts";
import {
  encodeGeminiStreamEvent,
  endGeminiStream,
  failGeminiStream,
  type GeminiEncodeState,
  newGeminiStreamEncoder,
} from "./stream_encode.ts";

export const geminiCodec: Codec<GeminiDecodeState, GeminiEncodeState> = {
  dialect: "gemini",
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  newStreamDecoder: newGeminiStreamDecoder,
  decodeStreamEvent: decodeGeminiStreamEvent,
  newStreamEncoder: newGeminiStreamEncoder,
  encodeStreamEvent: encodeGeminiStreamEvent,
  endStream: endGeminiStream,
  failStream: failGeminiStream,
};
