/** The key file (docs/PROTOCOL.md "Key file"): the username with the recovery and passphrase blobs, to keep offline. */
import { encodeKeyFile, fromBase64url } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { RecoveryError } from "./recovery-error.js";
import { requireSelf } from "./self.js";

/** The key file with the blobs the server holds now. */
export async function keyFileText(ctx: ClientContext): Promise<string> {
  const { account } = await requireSelf(ctx);
  const status = await ctx.recoveryApi.status();
  if (!status.blob) throw new RecoveryError("no_recovery", "no recovery data is stored yet");
  return encodeKeyFile({ username: account.username, recoveryBlob: fromBase64url(status.blob), ...(status.passphraseBlob ? { passphraseBlob: fromBase64url(status.passphraseBlob) } : {}) });
}
