import type { LookupAddress } from 'node:dns';
import { TargetPolicy } from '../../src/modules/webhooks/target-policy';

const production = new TargetPolicy({ requireHttps: true, blockPrivateTargets: true, allowedTargets: ['10.20.0.0/16', 'hooks.corp.example', 'fd12::1'] });
const development = new TargetPolicy({ requireHttps: false, blockPrivateTargets: false, allowedTargets: [] });

/** What a socket's DNS lookup through `guardedLookup` yields: the addresses, or the refusal. Real resolver. */
function lookUp(policy: TargetPolicy, hostname: string, family?: 4 | 6): Promise<string[]> {
  return new Promise((resolve, reject) => {
    policy.guardedLookup(hostname)(hostname, { all: true, family }, (err, addresses) => {
      if (err) reject(err);
      else resolve((addresses as unknown as LookupAddress[]).map((entry) => entry.address));
    });
  });
}

describe('webhook target policy', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.5',
    '172.16.3.4',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.100.100.200', // Alibaba metadata (carrier-grade NAT range)
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254', // AWS metadata over IPv6
    'fc00::7',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a9fe:a9fe',
    '2001:db8::1',
    '::7f00:1', // IPv4-compatible 127.0.0.1
    '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1
  ])('refuses %s in production', (address) => {
    expect(production.addressAllowed(address)).toBe(false);
    expect(development.addressAllowed(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::6810:85e5', '::ffff:8.8.8.8'])('allows the public address %s', (address) => {
    expect(production.addressAllowed(address)).toBe(true);
  });

  it('exempts allowlisted ranges and hosts (on-premise receivers)', () => {
    expect(production.addressAllowed('10.20.4.5')).toBe(true);
    expect(production.addressAllowed('10.21.4.5')).toBe(false);
    expect(production.addressAllowed('fd12::1')).toBe(true);
    expect(production.addressAllowed('fd12::2')).toBe(false);
    expect(production.refusalFor(new URL('https://10.20.0.9/hook'))).toBeNull();
  });

  it('checks literal address hosts and the scheme at delivery time', () => {
    expect(production.refusalFor(new URL('https://127.0.0.1:8443/hook'))).toMatch(/127\.0\.0\.1 is not a public address/);
    expect(production.refusalFor(new URL('https://[::1]/hook'))).toMatch(/::1 is not a public address/);
    expect(production.refusalFor(new URL('http://93.184.215.14/hook'))).toMatch(/https is required/);
    expect(production.refusalFor(new URL('https://93.184.215.14/hook'))).toBeNull();
    expect(development.refusalFor(new URL('http://127.0.0.1/hook'))).toBeNull();
  });

  // localhost comes from the hosts file (127.0.0.1, sometimes ::1 too) and literal addresses resolve
  // to themselves: deterministic without a DNS server.
  it('refuses at delivery a name that resolves to a non-public address', async () => {
    const strict = new TargetPolicy({ requireHttps: true, blockPrivateTargets: true, allowedTargets: [] });
    await expect(lookUp(strict, 'localhost')).rejects.toMatchObject({ code: 'EWEBHOOKTARGET', message: expect.stringMatching(/refused: localhost resolves to/) });
    await expect(lookUp(development, 'localhost', 4)).resolves.toEqual(['127.0.0.1']);
  });

  it('lets an allowlisted hostname through at delivery, whatever it resolves to', async () => {
    const onPremise = new TargetPolicy({ requireHttps: true, blockPrivateTargets: true, allowedTargets: ['localhost'] });
    await expect(lookUp(onPremise, 'localhost', 4)).resolves.toEqual(['127.0.0.1']);
    await expect(lookUp(onPremise, '10.0.0.5')).rejects.toMatchObject({ code: 'EWEBHOOKTARGET' }); // only the name is exempt
  });

  it('admits at delivery an address in an allowlisted range, and no other non-public one', async () => {
    const loopbackRange = new TargetPolicy({ requireHttps: true, blockPrivateTargets: true, allowedTargets: ['127.0.0.0/8'] });
    await expect(lookUp(loopbackRange, 'localhost', 4)).resolves.toEqual(['127.0.0.1']);
    await expect(lookUp(loopbackRange, '10.0.0.5')).rejects.toMatchObject({ code: 'EWEBHOOKTARGET' });
    await expect(lookUp(production, '10.20.4.5')).resolves.toEqual(['10.20.4.5']);
    await expect(lookUp(production, '10.21.4.5')).rejects.toMatchObject({ code: 'EWEBHOOKTARGET' });
  });

  it('answers a single-address lookup with the first allowed address', async () => {
    const loopbackRange = new TargetPolicy({ requireHttps: true, blockPrivateTargets: true, allowedTargets: ['127.0.0.0/8'] });
    const answer = await new Promise<unknown[]>((resolve, reject) =>
      loopbackRange.guardedLookup('localhost')('localhost', { family: 4 }, (err, address, family) => (err ? reject(err) : resolve([address, family]))),
    );
    expect(answer).toEqual(['127.0.0.1', 4]);
  });

  it('parses only absolute http(s) URLs without credentials, https in production', () => {
    expect(() => production.parse('http://93.184.215.14/hook')).toThrow(/https/);
    expect(() => development.parse('ftp://x.example/hook')).toThrow(/https/);
    expect(() => development.parse('https://u:p@x.example/hook')).toThrow(/credentials/);
    expect(() => development.parse('/relative')).toThrow(/absolute/);
    expect(development.parse('http://127.0.0.1:9/h').toString()).toBe('http://127.0.0.1:9/h');
    // The stored (percent-encoded) form is held to the limit too: 2,022 characters sent, 12,022 stored.
    expect(() => development.parse('http://127.0.0.1:9/' + 'é'.repeat(2000))).toThrow(/at most 2048 characters/);
    expect(development.parse('http://127.0.0.1:9/' + 'é'.repeat(300)).href).toHaveLength(19 + 300 * 6);
  });
});
