/**
 * Every context label in the protocol. Each signature input, hash input, HKDF info and AEAD associated
 * data starts with exactly one of these (length-prefixed), so a value made for one purpose is never
 * valid for another. docs/PROTOCOL.md "Labels" lists them with their use.
 */
export const Label = {
  // signature contexts
  login: "sealed/login/v1",
  envelope: "sealed/envelope/v1",
  logEntry: "sealed/log-entry/v1",
  epochBundle: "sealed/epoch-bundle/v1",
  membershipEntry: "sealed/membership-entry/v1",
  groupMeta: "sealed/group-meta/v1",
  typing: "sealed/typing/v1",
  // hash contexts
  deviceId: "sealed/device-id/v1",
  entryHash: "sealed/entry-hash/v1",
  membershipHash: "sealed/membership-hash/v1",
  envelopeHash: "sealed/envelope-hash/v1",
  keyId: "sealed/key-id/v1",
  directMembers: "sealed/direct-members/v1",
  safetyNumber: "sealed/safety-number/v1",
  recoveryCheck: "sealed/recovery-check/v1",
  attachmentDigest: "sealed/attachment-digest/v1",
  profileDigest: "sealed/profile-digest/v1",
  // HKDF info
  epochWrap: "sealed/epoch-wrap/v1",
  historyWrap: "sealed/history-wrap/v1",
  historyShare: "sealed/history-share/v1",
  historyChain: "sealed/history-chain/v1",
  recoverySigning: "sealed/recovery/v1/signing",
  recoveryBox: "sealed/recovery/v1/box",
  recoveryWrap: "sealed/recovery/v1/wrap",
  link: "sealed/link/v1",
  recoveryBlob: "sealed/recovery-blob/v1",
  deviceSecrets: "sealed/device-secrets/v1",
  passphraseWrap: "sealed/passphrase/v1/wrap",
  passphraseAccess: "sealed/passphrase/v1/access",
  typingKey: "sealed/typing-key/v1",
  attachmentChunkKey: "sealed/attachment/v1/chunk-key",
  attachmentCommitment: "sealed/attachment/v1/commitment",
  readState: "sealed/read-state/v1",
  profileKey: "sealed/profile-key/v1",
  chatSettings: "sealed/chat-settings/v1",
  // AEAD associated data
  linkFrame: "sealed/link-frame/v1",
  epochCommit: "sealed/epoch-commit/v1",
  envelopeAad: "sealed/envelope-aad/v1",
  groupMetaAad: "sealed/group-meta-aad/v1",
  typingAad: "sealed/typing-aad/v1",
  attachmentChunk: "sealed/attachment-chunk/v1",
  vault: "sealed/vault/v1",
  profileAad: "sealed/profile-aad/v1",
  chatSettingsAad: "sealed/chat-settings-aad/v1",
} as const;

export type LabelName = keyof typeof Label;
