/**
 * A software WebAuthn authenticator for tests: a P-256 key made with node:crypto, "none" attestation with
 * real authenticator data (RP id hash, flags, counter, COSE key), assertions signed ES256 over
 * authenticatorData ‖ SHA-256(clientDataJSON) as a browser's platform authenticator does, in the JSON
 * shapes `navigator.credentials` results serialise to.
 */
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { Buffer } from "node:buffer";

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  if (n < 65536) return [(major << 5) | 25, n >> 8, n & 255];
  return [(major << 5) | 26, (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

/** Minimal CBOR (RFC 8949) for attestation objects and COSE keys. */
export function cbor(v: Cbor): Uint8Array {
  const out: number[] = [];
  const put = (x: Cbor) => {
    if (typeof x === "number") out.push(...(x >= 0 ? head(0, x) : head(1, -1 - x)));
    else if (typeof x === "string") {
      const b = new TextEncoder().encode(x);
      out.push(...head(3, b.length), ...b);
    } else if (x instanceof Uint8Array) out.push(...head(2, x.length), ...x);
    else if (Array.isArray(x)) {
      out.push(...head(4, x.length));
      x.forEach(put);
    } else {
      const entries = x instanceof Map ? [...x.entries()] : Object.entries(x);
      out.push(...head(5, entries.length));
      for (const [k, val] of entries) {
        put(k);
        put(val);
      }
    }
  };
  put(v);
  return Uint8Array.from(out);
}

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());
const b64url = (b: Uint8Array) => Buffer.from(b).toString("base64url");

export interface SoftAuthenticator {
  credentialId: Uint8Array;
  counter: number;
  /** The registration response for `options` (from register/begin) at `origin`. */
  register(options: { challenge: string; rp: { id: string }; user: { id: string } }, origin: string): unknown;
  /** The assertion for `options` (from login/begin) at `origin`; `tamper` spoils the signature. */
  assert(options: { challenge: string; rpId?: string }, origin: string, tamper?: "signature"): unknown;
}

export function softAuthenticator(): SoftAuthenticator {
  const { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync(
    "ec",
    {
      namedCurve: "P-256",
    },
  );
  const jwk = publicKey.export({ format: "jwk" });
  const coseKey = new Map<Cbor, Cbor>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, new Uint8Array(Buffer.from(jwk.x!, "base64url"))],
    [-3, new Uint8Array(Buffer.from(jwk.y!, "base64url"))],
  ]);
  const credentialId = crypto.getRandomValues(new Uint8Array(32));
  let userHandle = "";
  const authData = (rpId: string, flags: number, counter: number, attested?: Uint8Array) => {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, counter);
    return Uint8Array.from([...sha256(rpId), flags, ...count, ...(attested ?? [])]);
  };
  const me: SoftAuthenticator = {
    credentialId,
    counter: 0,
    register: (options, origin) => {
      userHandle = options.user.id;
      const clientData = JSON.stringify({
        type: "webauthn.create",
        challenge: options.challenge,
        origin,
        crossOrigin: false,
      });
      const attested = Uint8Array.from([
        ...new Uint8Array(16), // AAGUID: none
        credentialId.length >> 8,
        credentialId.length & 255,
        ...credentialId,
        ...cbor(coseKey),
      ]);
      // Flags: UP | UV | AT.
      const data = authData(options.rp.id, 0x01 | 0x04 | 0x40, me.counter, attested);
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: "public-key",
        response: {
          clientDataJSON: b64url(new TextEncoder().encode(clientData)),
          attestationObject: b64url(cbor({ fmt: "none", attStmt: {}, authData: data })),
          transports: ["internal"],
        },
        authenticatorAttachment: "platform",
        clientExtensionResults: {},
      };
    },
    assert: (options, origin, tamper) => {
      me.counter += 1;
      const clientData = new TextEncoder().encode(
        JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin, crossOrigin: false }),
      );
      const data = authData(options.rpId ?? new URL(origin).hostname, 0x01 | 0x04, me.counter);
      const signature = new Uint8Array(
        sign("sha256", Uint8Array.from([...data, ...sha256(clientData)]), privateKey),
      );
      if (tamper === "signature") signature[signature.length - 1] ^= 1;
      return {
        id: b64url(credentialId),
        rawId: b64url(credentialId),
        type: "public-key",
        response: {
          clientDataJSON: b64url(clientData),
          authenticatorData: b64url(data),
          signature: b64url(signature),
          userHandle,
        },
        authenticatorAttachment: "platform",
        clientExtensionResults: {},
      };
    },
  };
  return me;
}
