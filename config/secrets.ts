/**
 * Session and crypto secrets. With the embedded store, missing secrets are generated once and kept in
 * `<DATA_DIR>/secrets.json` (mode 0600) so restarts keep sessions, token hashes and channel keys valid.
 * With PostgreSQL every instance must share them, so they must come from the environment.
 */
import { type Config, ConfigError } from "./env.ts";
import { ensurePrivateDir, tightenFile } from "../store/private_file.ts";

export interface Secrets {
  sessionSecret: string;
  cryptoSecret: string;
}

function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readSecretsFile(path: string): Promise<Partial<Secrets> | undefined> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    return typeof parsed === "object" && parsed ? parsed : undefined;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw new ConfigError(`${path}: cannot read the stored secrets (${(err as Error).message})`);
  }
}

/** Returns the secrets to use, generating and persisting them on the embedded store when needed. */
export async function resolveSecrets(config: Config): Promise<Secrets> {
  if (config.sessionSecret && config.cryptoSecret) {
    return { sessionSecret: config.sessionSecret, cryptoSecret: config.cryptoSecret };
  }
  if (config.store !== "sqlite") {
    throw new ConfigError(
      "SESSION_SECRET: required with SQL_DSN (set SESSION_SECRET, and optionally CRYPTO_SECRET, to the same " +
        "random value of 16+ characters on every instance)",
    );
  }
  const path = `${config.dataDir}/secrets.json`;
  const stored = await readSecretsFile(path);
  if (stored) await tightenFile(path);
  const secrets: Secrets = {
    sessionSecret: config.sessionSecret ?? stored?.sessionSecret ?? randomSecret(),
    cryptoSecret: config.cryptoSecret ?? stored?.cryptoSecret ?? stored?.sessionSecret ?? randomSecret(),
  };
  if (!stored) {
    // Publish with link(): atomic and refusing to overwrite, so two processes starting at once agree.
    await ensurePrivateDir(config.dataDir);
    const tmp = `${path}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
    try {
      await Deno.link(tmp, path);
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      return resolveSecrets(config);
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  }
  return secrets;
}
