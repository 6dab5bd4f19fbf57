import { ContentKind } from "../../../../protocol/index.js";
import type { MessageRow } from "../store/rows.js";
import { isShownKind } from "./content-rows.js";

/**
 * When a reaction, edit or delete may act on its target (docs/PROTOCOL.md "Applying reactions, edits and
 * deletes"). One pure rule, used where a received row is stored (sync/apply-content.ts), where the
 * timeline is folded (views/message-fold.ts) and before this device sends one (client.ts), so every
 * device that holds the same rows decides the same way, including one that replays the whole history.
 */

/** The kinds that act on another message rather than show as one. */
export type ActionKind = typeof ContentKind.reaction | typeof ContentKind.edit | typeof ContentKind.delete;

export function isActionKind(kindNumber: number | undefined): kindNumber is ActionKind {
  return kindNumber === ContentKind.reaction || kindNumber === ContentKind.edit || kindNumber === ContentKind.delete;
}

/**
 * `apply`: it takes effect. `ignore`: well-formed and allowed, but its target was deleted for everyone
 * meanwhile (a reaction racing a delete is not an attack). `refused`: counted in the conversation's
 * `rejected` and never shown.
 */
export type Verdict = "apply" | "ignore" | { readonly refused: string };

/** Whether `target` comes before `action` in the one order every device shares (seq, then pending by counter). */
function comesBefore(target: MessageRow, action: MessageRow): boolean {
  if (action.seq !== undefined) return target.seq !== undefined && target.seq < action.seq;
  if (target.seq !== undefined) return true;
  // Both still pending: both are this device's own, in counter order.
  return target.senderDeviceId === action.senderDeviceId && target.counter < action.counter;
}

/**
 * Judges a reaction, edit or delete (`action`) against the row its `ref` names (`target`, undefined when
 * this device holds no row with that client message id). `targetDeleted`: the target was deleted for
 * everyone by an action before this one.
 */
export function judgeAction(action: MessageRow, target: MessageRow | undefined, targetDeleted: boolean): Verdict {
  const ref = action.ref;
  if (!ref) return { refused: "no target" };
  if (!target || target.senderDeviceId !== ref.deviceId) return { refused: "target not found" };
  if (!isShownKind(target.kindNumber)) return { refused: "target is not a message" };
  // A legit target was seen by the sender before it acted: it has a smaller server position.
  if (!comesBefore(target, action)) return { refused: "target comes after it" };
  if (action.kindNumber !== ContentKind.reaction && target.senderAccountId !== action.senderAccountId) return { refused: "only the author edits or deletes a message" };
  if (action.kindNumber === ContentKind.edit && target.kindNumber !== undefined && target.kindNumber !== ContentKind.reply) return { refused: "only text can be edited" };
  if (targetDeleted && action.kindNumber !== ContentKind.delete) return "ignore";
  return "apply";
}
