import { Task, TaskStatus } from "@lit/task";
import type { ReactiveControllerHost } from "lit";
import { errorText } from "./error-text.js";

/** A sentence for the person, shown as it is (input the screen itself refuses before calling the client). */
export class InputError extends Error {
  override readonly name = "InputError";
}

/**
 * One user action of a component (sign up, start a chat, revoke a device...) as a @lit/task Task that
 * runs only when asked: the component reads `pending` and `error` instead of keeping its own busy and
 * error flags, and re-renders as the task moves. Errors become sentences once, through `describe`
 * (errorText by default); an InputError's message is shown as is.
 */
export class Action<A extends unknown[], R = unknown> {
  private readonly task: Task<A, R>;
  private cleared = false;
  /** The arguments of the last run (a component with several buttons on one action shows which is busy). */
  lastArgs: A | undefined;
  private described: { error: unknown; text: string } | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    run: (...args: A) => Promise<R>,
    private readonly describe: (e: unknown) => string = errorText,
  ) {
    this.task = new Task<A, R>(host, { autoRun: false, task: (args) => run(...args) });
  }

  /** Runs the action; resolves when it settled (its failure shows through `error`, never rejects). */
  async run(...args: A): Promise<void> {
    this.cleared = false;
    this.lastArgs = args;
    await this.task.run(args);
  }

  get pending(): boolean {
    return this.task.status === TaskStatus.PENDING;
  }

  /** True once the last run finished without an error. */
  get done(): boolean {
    return !this.cleared && this.task.status === TaskStatus.COMPLETE;
  }

  get value(): R | undefined {
    return this.task.value;
  }

  /** The last run's failure as a sentence, or "" (also after `clear`). */
  get error(): string {
    if (this.cleared || this.task.status !== TaskStatus.ERROR) return "";
    const e = this.task.error;
    if (this.described?.error !== e) this.described = { error: e, text: e instanceof InputError ? e.message : this.describe(e) };
    return this.described?.text ?? "";
  }

  /** Forgets the last outcome (a dialog opened again starts clean). */
  clear(): void {
    this.cleared = true;
    this.host.requestUpdate();
  }
}
