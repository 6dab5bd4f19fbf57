// The protocol's public surface. Pure: no I/O, no DOM, no Workers globals.
export * from "./bytes.js";
export * from "./codec.js";
export * from "./errors.js";
export * from "./ids.js";
export * from "./labels.js";
export * from "./primitives.js";
export * from "./subtle.js";
export * from "./device-log.js";
export * from "./log-payloads.js";
export * from "./history-chain.js";
export * from "./epoch-bundle.js";
export * from "./envelope.js";
export * from "./padding.js";
export * from "./login.js";
export * from "./recovery-key.js";
export * from "./vault.js";
export * from "./safety-number.js";
