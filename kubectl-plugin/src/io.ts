// Where the CLI meets its terminal or pipe: report text on stdout, notes and
// progress on stderr, colour by kubectl's rule, and a quiet end when the
// reader of stdout goes away (`| head`, `| grep -q`).
import { colorAllowed, painter, type Painter } from './render.ts';

export interface Streams {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  readStdin: () => string;
  /** Aborted on Ctrl-C: a watch ends cleanly, any other command stops without writing its report. */
  interrupt?: AbortSignal;
}

export interface Io {
  out: (text: string) => void;
  note: (text: string) => void;
  paint: Painter;
  readStdin: () => string;
  /** Progress of a long operation; shown on stderr only when it is a terminal, and never on stdout. */
  progress: (text: string | null) => void;
}

export function createIo(streams: Streams, noColor: boolean): Io {
  return {
    out: (text) => streams.stdout.write(text),
    note: (text) => streams.stderr.write(`${text}\n`),
    paint: painter(colorAllowed(streams.stdout, noColor)),
    readStdin: streams.readStdin,
    progress: (text) => {
      if (streams.stderr.isTTY) streams.stderr.write(text === null ? '\r\u001b[K' : `\r\u001b[K${text}`);
    },
  };
}

/** 128 + SIGPIPE: what a shell reports for kubectl, which the Go runtime ends with SIGPIPE on a closed stdout. */
export const EXIT_CLOSED_PIPE = 141;

interface Closable {
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * A closed pipe is the reader saying it has seen enough: end at once, with
 * nothing on stderr, as kubectl does. Any other stream error is a real one.
 */
export function endQuietlyWhenReaderCloses(stdout: Closable, stderr: Closable, exit: (code: number) => never): void {
  stdout.on('error', (error) => {
    if (error.code === 'EPIPE') exit(EXIT_CLOSED_PIPE);
    throw error;
  });
  // Nowhere is left to say anything about a closed stderr.
  stderr.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
