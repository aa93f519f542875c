/** The OpenAI Chat Completions codec (`POST /v1/chat/completions`). */
import type { Codec } from "../codec.ts";
import { decodeChatRequest } from "./request_decode.ts";
import { encodeChatRequest } from "./request_encode.ts";
import { decodeChatResponse, encodeChatResponse } from "./response.ts";
import { type ChatDecodeState, decodeChatStreamEvent, newChatStreamDecoder } from "./stream_decode.ts";
import {
  type ChatEncodeState,
  encodeChatStreamEvent,
  endChatStream,
  failChatStream,
  newChatStreamEncoder,
} from "./stream_encode.ts";

export const openAiChatCodec: Codec<ChatDecodeState, ChatEncodeState> = {
  dialect: "openai_chat",
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  encodeResponse: encodeChatResponse,
  newStreamDecoder: newChatStreamDecoder,
  decodeStreamEvent: decodeChatStreamEvent,
  newStreamEncoder: newChatStreamEncoder,
  encodeStreamEvent: encodeChatStreamEvent,
  endStream: endChatStream,
  failStream: failChatStream,
};
