/**
 * The browser half of passkeys (registration and sign-in): turns the server's options (base64url fields,
 * go-webauthn's `{publicKey}` wrapper) into what `navigator.credentials.create` / `get` take, and their
 * credential back into the JSON `@simplewebauthn/server` reads.
 */
const fromB64url = (text: string) =>
  Uint8Array.from(
    atob(text.replaceAll("-", "+").replaceAll("_", "/").padEnd(Math.ceil(text.length / 4) * 4, "=")),
    (c) => c.charCodeAt(0),
  );
const toB64url = (buf: ArrayBuffer | null) => {
  if (!buf) return undefined;
  let s = "";
  for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
};

interface RequestOptionsJson {
  challenge: string;
  rpId?: string;
  timeout?: number;
  userVerification?: UserVerificationRequirement;
  allowCredentials?: { id: string; type: "public-key" }[];
}

export function passkeySupported(): boolean {
  return typeof globalThis.PublicKeyCredential === "function" && !!navigator.credentials;
}

/** Asks the authenticator for an assertion; the JSON to post to `/api/user/passkey/login/finish`. */
export async function getPasskeyAssertion(options: { publicKey: RequestOptionsJson }): Promise<unknown> {
  const o = options.publicKey;
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge: fromB64url(o.challenge),
      rpId: o.rpId,
      timeout: o.timeout,
      userVerification: o.userVerification,
      allowCredentials: (o.allowCredentials ?? []).map((c) => ({ type: c.type, id: fromB64url(c.id) })),
    },
  }) as PublicKeyCredential | null;
  if (!credential) throw new Error("no credential");
  const response = credential.response as AuthenticatorAssertionResponse;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toB64url(response.clientDataJSON),
      authenticatorData: toB64url(response.authenticatorData),
      signature: toB64url(response.signature),
      userHandle: toB64url(response.userHandle),
    },
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

interface CreationOptionsJson {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  pubKeyCredParams: { alg: number; type: "public-key" }[];
  timeout?: number;
  attestation?: AttestationConveyancePreference;
  authenticatorSelection?: AuthenticatorSelectionCriteria;
  excludeCredentials?: { id: string; type: "public-key" }[];
}

/** Makes a new passkey; the JSON to post to `/api/user/passkey/register/finish`. */
export async function createPasskey(options: { publicKey: CreationOptionsJson }): Promise<unknown> {
  const o = options.publicKey;
  const credential = await navigator.credentials.create({
    publicKey: {
      challenge: fromB64url(o.challenge),
      rp: o.rp,
      user: { ...o.user, id: fromB64url(o.user.id) },
      pubKeyCredParams: o.pubKeyCredParams,
      timeout: o.timeout,
      attestation: o.attestation,
      authenticatorSelection: o.authenticatorSelection,
      excludeCredentials: (o.excludeCredentials ?? []).map((c) => ({ type: c.type, id: fromB64url(c.id) })),
    },
  }) as PublicKeyCredential | null;
  if (!credential) throw new Error("no credential");
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toB64url(response.clientDataJSON),
      attestationObject: toB64url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}
