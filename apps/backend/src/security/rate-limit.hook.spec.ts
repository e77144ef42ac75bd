import { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import { clientKey } from './rate-limit.hook';

describe('clientKey', () => {
  it("is normalizeIp's key for every kind of address, the IPv4 shortcut included", () => {
    const addresses = ['203.0.113.7', '127.0.0.1', '::1', '::ffff:203.0.113.7', '2001:db8:1:2:3:4:5:6', '2001:DB8:1:2::9', 'fe80::1%eth0', '203.0.113.7%eth0', 'not-an-ip', '999.1.1.1', ''];
    for (const ip of addresses) expect([ip, clientKey(ip)]).toEqual([ip, normalizeIp(ip, DEFAULT_IPV6_SUBNET_PREFIX)]);
    // Two addresses of one /64 share a budget.
    expect(clientKey('2001:db8:1:2:3:4:5:6')).toBe(clientKey('2001:db8:1:2:ffff::1'));
  });
});
