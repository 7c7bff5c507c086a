// Basic auth on the ops server: everything but /healthz answers 401 with a Basic challenge without
// the configured credentials, and works with them; the password is never served back.
import { baseRawConfig, buildConfig, uniquePrefix } from '../support/pipeline-harness';
import { get, startOpsHarness, type OpsHarness } from './ops-harness';

const USER = 'operator';
const PASSWORD = 'ops-pass-7f3a9c1e';
const PROTECTED = ['/dashboard', '/dashboard/api/queues', '/metrics', '/status', '/status.json', '/readyz'];

describe('when the ops server has basic auth configured', () => {
  let h: OpsHarness;

  beforeAll(async () => {
    const raw = baseRawConfig({ prefix: uniquePrefix('ops-auth'), discoveryUrl: 'http://127.0.0.1:9/taxii2/' });
    raw.ops = { listen: '127.0.0.1:0', auth: { username: USER, password: PASSWORD } };
    h = await startOpsHarness(buildConfig(raw));
  });

  afterAll(async () => {
    await h.close();
  });

  it.each(PROTECTED)('refuses %s without credentials, with a Basic challenge', async (path) => {
    const reply = await get(`${h.ops.url}${path}`);
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
  });

  it.each([
    ['a wrong password', USER, `${PASSWORD}x`],
    ['a wrong user', 'admin', PASSWORD],
    ['an empty password', USER, ''],
  ])('refuses %s', async (_what, user, password) => {
    expect((await get(`${h.ops.url}/metrics`, { user, password })).status).toBe(401);
  });

  it('answers /healthz without credentials', async () => {
    const reply = await get(`${h.ops.url}/healthz`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.text)).toEqual({ status: 'alive' });
  });

  it.each(PROTECTED)('serves %s with the credentials, without ever echoing the password', async (path) => {
    const reply = await get(`${h.ops.url}${path}`, { user: USER, password: PASSWORD });
    expect(reply.status).toBe(200);
    expect(reply.text).not.toContain(PASSWORD);
    expect(reply.text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});
