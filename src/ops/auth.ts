// HTTP Basic authentication of the ops server (RFC 7617), compared in constant time: both sides
// are hashed first so that neither the length nor the content of the secret leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

export interface BasicCredentials {
  username: string;
  password: string;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Parses `Authorization: Basic …`; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): BasicCredentials | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const at = decoded.indexOf(':');
  return at < 0 ? undefined : { username: decoded.slice(0, at), password: decoded.slice(at + 1) };
}

/** True when the header carries exactly these credentials; both parts are always compared. */
export function checkBasic(header: string | undefined, expected: BasicCredentials): boolean {
  const given = parseBasic(header) ?? { username: '', password: '' };
  const userOk = timingSafeEqual(digest(given.username), digest(expected.username));
  const passOk = timingSafeEqual(digest(given.password), digest(expected.password));
  return userOk && passOk && given.password !== '';
}

/** Middleware answering 401 with a Basic challenge unless the request carries the credentials. */
export function basicAuth(expected: BasicCredentials, realm = 'taxii-connector'): RequestHandler {
  return (req, res, next) => {
    if (checkBasic(req.headers.authorization, expected)) return next();
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`).status(401).type('text/plain').send('authentication required\n');
  };
}
