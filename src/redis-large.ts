// Redis commands with large byte arguments (page bodies, bundles) written to the socket as they
// are. ioredis copies every Buffer argument into one new Buffer per command, and a pipeline copies
// the commands again into one; for a 5 MB page each copy is a fresh allocation the kernel has to
// fault in. Here the command's small parts are strings and each large Buffer is written after
// them, by reference: the same bytes on the wire (RESP), no copy.
import { Command, type Redis } from 'ioredis';

/** Arguments at least this large are written by reference; smaller ones go in the command's text. */
export const LARGE_ARGUMENT_BYTES = 64 * 1024;

type Writable = { write(chunk: string | Buffer): unknown };

function isWritable(socket: unknown): socket is Writable {
  return typeof (socket as Writable | null)?.write === 'function';
}

/**
 * A command whose large Buffer arguments are written straight to the connection. ioredis calls
 * `toWritable(socket)` and writes what it returns to that same socket at once (Redis#sendCommand),
 * so writing the parts before it returns keeps them in order. Never put one in a pipeline or a
 * MULTI: those collect the returned text to write it later, behind the parts written here.
 */
class LargeArgumentCommand extends Command {
  override toWritable(socket: object): string | Buffer {
    const args = this.args as Array<string | Buffer>;
    if (!isWritable(socket) || !args.some(isLarge)) return super.toWritable(socket);
    // Text parts are UTF-8, as ioredis writes strings; Buffers go as they are.
    let text = `*${args.length + 1}\r\n$${Buffer.byteLength(this.name)}\r\n${this.name}\r\n`;
    for (const arg of args) {
      if (typeof arg === 'string') {
        text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
        continue;
      }
      socket.write(`${text}$${arg.length}\r\n`);
      socket.write(arg);
      text = '\r\n';
    }
    return text;
  }
}

function isLarge(arg: string | Buffer): boolean {
  return Buffer.isBuffer(arg) && arg.length >= LARGE_ARGUMENT_BYTES;
}

/**
 * Sends one command with large Buffer arguments without copying them (see above). Strings and
 * numbers are sent as ioredis sends them. Resolves with the reply, as `redis.call` would.
 */
export function sendLarge(redis: Redis, name: string, args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
  const command = new LargeArgumentCommand(name, args.map((a) => (typeof a === 'number' ? String(a) : a)), { replyEncoding: 'utf8' });
  void redis.sendCommand(command);
  return command.promise;
}
