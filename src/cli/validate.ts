// `taxii-connector validate FILE...`: checks STIX files (bundle, JSON array, TAXII envelope or
// NDJSON; gzipped or not; `-` for stdin) with exactly the pipeline's rules, and says what it refused.
// Exit 0 when everything was accepted, 1 when something was rejected, 2 when a file is unreadable.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import type { Command } from 'commander';
import { readStixInput } from '../stix/input';
import { normalize } from '../stix/normalize';

export interface ValidateOptions {
  /** One JSON document on stdout instead of text. */
  json: boolean;
  /** Upgrade STIX 2.0 objects as the pipeline does by default (true); false refuses them. */
  upgrade20?: boolean;
}

export interface ValidateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export interface RejectedLine {
  id?: string;
  type?: string;
  reason: string;
  message: string;
}

export interface FileReport {
  file: string;
  objects: number;
  accepted: number;
  upgraded: number;
  duplicates: number;
  rejected: RejectedLine[];
  /** Why the file could not be read or parsed (nothing was checked). */
  error?: string;
}

const EXIT_OK = 0;
const EXIT_REJECTED = 1;
const EXIT_UNREADABLE = 2;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

function isGzip(file: string, data: Buffer): boolean {
  return file.endsWith('.gz') || (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b);
}

async function readText(file: string, stdin: NodeJS.ReadableStream): Promise<string> {
  const data = file === '-' ? await readAll(stdin) : await readFile(file);
  if (!isGzip(file, data)) return data.toString('utf8');
  try {
    return gunzipSync(data).toString('utf8');
  } catch (err) {
    throw new Error(`not valid gzip data (${(err as Error).message})`);
  }
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.code === 'ENOENT') return 'no such file';
  if (e && typeof e.code === 'string' && e.code === 'EACCES') return 'permission denied';
  if (e && typeof e.code === 'string' && e.code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

async function validateFile(file: string, upgrade20: boolean, stdin: NodeJS.ReadableStream): Promise<FileReport> {
  const report: FileReport = { file, objects: 0, accepted: 0, upgraded: 0, duplicates: 0, rejected: [] };
  let objects: unknown[];
  try {
    objects = readStixInput(await readText(file, stdin));
  } catch (err) {
    report.error = errorText(err);
    return report;
  }
  // The pipeline's rules: the same normalize, without enrichment or filters.
  const result = normalize(objects, { upgrade20, now: new Date() });
  report.objects = objects.length;
  report.accepted = result.objects.length;
  report.upgraded = result.upgraded;
  report.duplicates = result.duplicates;
  report.rejected = result.rejected.map((r) => ({
    ...(r.id !== undefined ? { id: r.id } : {}),
    ...(r.type !== undefined ? { type: r.type } : {}),
    reason: r.reason,
    message: r.message,
  }));
  return report;
}

function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

function writeText(reports: readonly FileReport[], io: ValidateIo): void {
  for (const r of reports) {
    const name = displayName(r.file);
    if (r.error !== undefined) {
      io.stderr.write(`error: cannot read ${name}: ${r.error}\n`);
      continue;
    }
    io.stdout.write(
      `${name}: ${r.objects} objects: ${r.accepted} accepted (${r.upgraded} upgraded from STIX 2.0), ${r.rejected.length} rejected, ${r.duplicates} duplicates\n`,
    );
    for (const x of r.rejected) io.stdout.write(`  ${x.id ?? `(no id${x.type !== undefined ? `, ${x.type}` : ''})`}  ${x.reason}  ${x.message}\n`);
  }
  if (reports.length > 1) {
    const t = totals(reports);
    io.stdout.write(`total: ${t.accepted} accepted (${t.upgraded} upgraded), ${t.rejected} rejected, ${t.duplicates} duplicates, ${t.unreadable} unreadable files\n`);
  }
}

function totals(reports: readonly FileReport[]) {
  const sum = (f: (r: FileReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  return {
    objects: sum((r) => r.objects),
    accepted: sum((r) => r.accepted),
    upgraded: sum((r) => r.upgraded),
    rejected: sum((r) => r.rejected.length),
    duplicates: sum((r) => r.duplicates),
    unreadable: sum((r) => (r.error !== undefined ? 1 : 0)),
  };
}

/** Validates the files and prints the outcome; resolves to the exit code (0, 1 or 2). */
export async function runValidate(files: string[], opts: ValidateOptions, io: ValidateIo): Promise<number> {
  const upgrade20 = opts.upgrade20 !== false;
  const reports: FileReport[] = [];
  for (const file of files) reports.push(await validateFile(file, upgrade20, io.stdin));
  const t = totals(reports);
  const code = t.unreadable > 0 ? EXIT_UNREADABLE : t.rejected > 0 ? EXIT_REJECTED : EXIT_OK;
  if (opts.json) {
    for (const r of reports) if (r.error !== undefined) io.stderr.write(`error: cannot read ${displayName(r.file)}: ${r.error}\n`);
    io.stdout.write(`${JSON.stringify({ ok: code === EXIT_OK, exitCode: code, files: reports, totals: t }, null, 2)}\n`);
  } else {
    writeText(reports, io);
  }
  return code;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description("check STIX files (bundle, JSON array, TAXII envelope or NDJSON; .gz too; '-' for stdin) with the pipeline's rules")
    .argument('<files...>', "files to check ('-' reads stdin)")
    .option('--json', 'print one JSON document for machines')
    .option('--no-upgrade-2-0', 'reject STIX 2.0 objects instead of upgrading them')
    .action(async (files: string[], options: { json?: boolean; upgrade20?: boolean }) => {
      const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
      try {
        process.exitCode = await runValidate(files, { json: options.json === true, upgrade20: options.upgrade20 !== false }, io);
      } catch (err) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = EXIT_UNREADABLE;
      }
    });
}
