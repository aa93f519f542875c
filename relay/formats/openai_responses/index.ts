/** The OpenAI Responses codec (`POST /v1/responses`). */
import type { Codec } from "../codec.ts";
import { decodeResponsesRequest } from "./request_decode.ts";
import { encodeResponsesRequest } from "./request_encode.ts";
import { decodeResponsesResponse, encodeResponsesResponse } from "./response.ts";
import {
  decodeResponsesStreamEvent,
  newResponsesStreamDecoder,
  type ResponsesDecodeState,
} from "./stream_decode.ts";
import {
  encodeResponsesStreamEvent,
  endResponsesStream,
  failResponsesStream,
  newResponsesStreamEncoder,
  type ResponsesEncodeState,
} from "./stream_encode.ts";

export const openAiResponsesCodec: Codec<ResponsesDecodeState, ResponsesEncodeState> = {
  dialect: "openai_responses",
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  newStreamDecoder: newResponsesStreamDecoder,
  decodeStreamEvent: decodeResponsesStreamEvent,
  newStreamEncoder: newResponsesStreamEncoder,
  encodeStreamEvent: encodeResponsesStreamEvent,
  endStream: endResponsesStream,
  failStream: failResponsesStream,
};
