import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

/** An object as `git cat-file --batch` answers it. */
export interface GitObject {
  readonly id: string;
  readonly type: string;
  readonly content: Buffer;
}

interface Pending {
  readonly resolve: (object: GitObject | undefined) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One long-lived `git cat-file --batch` over a repository: each read is a
 * line on its stdin and an answer on its stdout, so reading a file or
 * resolving a ref costs no process of its own. Answers come in the order
 * asked. The process does not keep Node alive while nothing is asked (it
 * ends with its stdin when Node exits), and is started again on the next
 * read after it died. Git finds refs and objects written by other commands
 * after it started (a fetch's new pack or loose objects, a moved ref).
 */
export class GitObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private pending: Pending[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private stderr = '';

  constructor(
    private readonly env: () => Record<string, string>,
    private readonly onFailure: (message: string) => Error,
  ) {}

  /**
   * The object `name` designates (an id, `<commit>:<path>`, `<ref>^{commit}`),
   * or undefined when git answers that it is missing. `name` must be one line.
   */
  read(name: string): Promise<GitObject | undefined> {
    if (/[\n\r\0]/.test(name)) return Promise.reject(new Error('an object name is one line'));
    const child = this.started();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      if (this.pending.length === 1) this.hold(true);
      child.stdin.write(`${name}\n`);
    });
  }

  /** Ends the process; a later read starts another. */
  close(): void {
    this.child?.stdin.end();
    this.child = undefined;
  }

  private started(): ChildProcessWithoutNullStreams {
    if (this.child !== undefined) return this.child;
    const child = spawn('git', ['cat-file', '--batch'], { env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.buffered = Buffer.alloc(0);
    this.stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.answer();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      // Only the end is kept: it says why the process stopped.
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    // A write to a process that has just died: its exit below answers the reads.
    child.stdin.on('error', () => undefined);
    const fail = (why: string) => {
      if (this.child === child) this.child = undefined;
      const waiting = this.pending;
      this.pending = [];
      for (const read of waiting) read.reject(this.onFailure(why));
    };
    child.on('error', (error: NodeJS.ErrnoException) => fail(error.code === 'ENOENT' ? 'the git executable is not installed' : error.message));
    child.on('close', (code) => fail(`git cat-file exited with ${code}: ${this.stderr.trim() || 'no output'}`));
    this.child.unref();
    this.hold(false);
    return child;
  }

  /** Keeps Node alive only while a read waits for its answer. */
  private hold(waiting: boolean): void {
    const child = this.child;
    if (child === undefined) return;
    for (const stream of [child.stdin, child.stdout, child.stderr] as unknown as Array<{ ref?: () => void; unref?: () => void }>) {
      if (waiting) stream.ref?.();
      else stream.unref?.();
    }
  }

  /** Hands each complete answer in the buffer to the read that asked for it. */
  private answer(): void {
    for (;;) {
      const read = this.pending[0];
      const eol = this.buffered.indexOf(10);
      if (read === undefined || eol < 0) return;
      const header = this.buffered.subarray(0, eol).toString('utf8');
      // `<name> missing` or `<name> ambiguous`: no content follows.
      const match = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(header);
      if (match === null) {
        this.buffered = this.buffered.subarray(eol + 1);
        this.pending.shift();
        read.resolve(undefined);
      } else {
        const size = Number(match[3]);
        const end = eol + 1 + size;
        // The content is followed by a newline.
        if (this.buffered.length < end + 1) return;
        const content = Buffer.from(this.buffered.subarray(eol + 1, end));
        this.buffered = this.buffered.subarray(end + 1);
        this.pending.shift();
        read.resolve({ id: match[1] as string, type: match[2] as string, content });
      }
      if (this.pending.length === 0) this.hold(false);
    }
  }
}
