/** What the UI hands `client.attachments.send` for one file (issue 18; one file per message). */
export interface OutgoingFile {
  readonly file: Blob;
  /** As the browser's File reports it; normalised (protocol/attachment-names.ts) before it is stored. */
  readonly name: string;
  /** Default: file.type, else "application/octet-stream". */
  readonly mimeType?: string;
  /** The composer's text, sent with the first staged file. */
  readonly caption?: string;
  /** A recorded voice note: its length and its waveform (one amplitude byte per bar, at most 128). */
  readonly voice?: { readonly durationMs: number; readonly waveform: Uint8Array };
}

/** The client's limit on a file to send, in plaintext bytes (the server's default ATTACHMENT_MAX_BYTES). */
export const MAX_SEND_BYTES = 100 * 1024 * 1024;
