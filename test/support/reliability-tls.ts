// TLS in front of a test server, for the reliability suite: a self-signed certificate made with
// openssl in a temp folder, and a TLS terminator on 127.0.0.1 (port 0) that pipes each connection
// to a plain HTTP server, counting TCP connections and failed handshakes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';

export interface SelfSigned {
  dir: string;
  certFile: string;
  keyFile: string;
}

/** A self-signed certificate (RSA 2048, one day) for the given subjectAltName, e.g. `IP:127.0.0.1`. */
export function selfSigned(altName: string, commonName: string): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), 'taxii-rel-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${altName}`, '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { dir, certFile, keyFile };
}

export interface TlsFront {
  /** `https://127.0.0.1:<port>` */
  origin: string;
  /** TCP connections accepted. */
  connections(): number;
  /** Handshakes that failed (the client refused the certificate). */
  failedHandshakes(): number;
  close(): Promise<void>;
}

/** Terminates TLS with `cert` and pipes the clear stream to 127.0.0.1:`upstreamPort`. */
export async function startTlsFront(cert: SelfSigned, upstreamPort: number): Promise<TlsFront> {
  let connections = 0;
  let failed = 0;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: readFileSync(cert.keyFile), cert: readFileSync(cert.certFile) }, (clear) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    clear.on('error', () => upstream.destroy());
    upstream.on('error', () => clear.destroy());
    clear.pipe(upstream).pipe(clear);
  });
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {
    failed += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    connections: () => connections,
    failedHandshakes: () => failed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
