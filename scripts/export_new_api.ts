/**
 * `deno task export-new-api`: before going back to New API, writes token keys, channel keys and
 * notification secrets back in New API's plaintext form (store/new_api_export.ts). Stop this gateway
 * first; it reads the same SQL_DSN / SQLITE_PATH / DATA_DIR and CRYPTO_SECRET as the server.
 */
import { loadConfig } from "../config/env.ts";
import { resolveSecrets } from "../config/secrets.ts";
import { openStore } from "../store/open.ts";
import { exportToNewApi } from "../store/new_api_export.ts";

const config = loadConfig(Deno.env.toObject());
const secrets = await resolveSecrets(config);
const db = await openStore(config);
try {
  const r = await exportToNewApi(db, secrets.cryptoSecret);
  console.log(`token keys written back: ${r.tokens}`);
  console.log(`channel keys decrypted: ${r.channels}`);
  console.log(`users' notification secrets decrypted: ${r.userSettings}`);
  console.log(`console access tokens written back: ${r.accessTokens}`);
  if (r.tokensWithoutCopy) {
    console.log(`tokens with no recoverable key (adopted before the copy was kept): ${r.tokensWithoutCopy}`);
  }
  if (r.accessTokensLost) {
    console.log(`console access tokens to regenerate in New API: ${r.accessTokensLost}`);
  }
  if (r.redemptionCodesLost) {
    console.log(`unused redemption codes New API cannot redeem: ${r.redemptionCodesLost}`);
  }
  console.log("done: start New API on this database now (starting this gateway again re-protects the keys)");
} finally {
  await db.close();
}
