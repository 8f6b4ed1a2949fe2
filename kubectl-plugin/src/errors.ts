// Exit codes, as kubectl plugins that check things use them: 0 all good or
// "yes", 1 a check failed or "no", 2 the tool could not check (usage or API),
// 130 stopped by Ctrl-C.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_ERROR = 2;
/** 128 + SIGINT, as a shell reports a command stopped with Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** An error the user can act on: printed as one line, never with a stack. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_ERROR) {
    super(message);
    this.exitCode = exitCode;
  }
}
