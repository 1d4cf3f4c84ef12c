import type { NetworkInterfaceInfo } from 'node:os';
import { hostName, hostsServedBy, isLoopback, pageUrl } from '../../lib/server/host-names';

const address = (ip: string, internal = false): NetworkInterfaceInfo =>
  ({ address: ip, family: ip.includes(':') ? 'IPv6' : 'IPv4', internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
const INTERFACES = { lo: [address('127.0.0.1', true), address('::1', true)], eth0: [address('192.0.2.7'), address('fd00::7')] };

test('a Host header names a host without its port, IPv6 without brackets, in lower case', () => {
  expect(hostName('Example.COM:8080')).toBe('example.com');
  expect(hostName('127.0.0.1:80')).toBe('127.0.0.1');
  expect(hostName('[::1]:8080')).toBe('::1');
  expect(hostName('[FD00::7]')).toBe('fd00::7');
  expect(hostName('fd00::7')).toBe('fd00::7');
  expect(hostName('localhost')).toBe('localhost');
});

test('a bind to one address serves the loopback names, that address and its name, and the names added', () => {
  const hosts = hostsServedBy('box.lan', '192.0.2.7', ['Media.Example'], INTERFACES);
  expect([...hosts].sort()).toEqual(['127.0.0.1', '192.0.2.7', '::1', 'box.lan', 'localhost', 'media.example']);
});

test('a wildcard bind serves every address of the interfaces', () => {
  for (const wildcard of ['0.0.0.0', '::']) {
    const hosts = hostsServedBy(wildcard, wildcard, [], INTERFACES);
    for (const host of ['192.0.2.7', 'fd00::7', '127.0.0.1', '::1', 'localhost']) expect(hosts.has(host)).toBe(true);
    expect(hosts.has('evil.example')).toBe(false);
  }
});

test('loopback is 127.0.0.0/8 and ::1 (also IPv4-mapped); wildcards and names are not', () => {
  for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(ip)).toBe(true);
  for (const ip of ['0.0.0.0', '::', '192.0.2.7', 'localhost']) expect(isLoopback(ip)).toBe(false);
});

test("the page's address is the bind's, or for a wildcard bind the machine's first network IPv4 address", () => {
  const at = (address: string) => ({ address, family: address.includes(':') ? 'IPv6' : 'IPv4', port: 8080 });
  expect(pageUrl('127.0.0.1', at('127.0.0.1'), INTERFACES)).toBe('http://127.0.0.1:8080/');
  expect(pageUrl('localhost', at('::1'), INTERFACES)).toBe('http://localhost:8080/');
  expect(pageUrl('fd00::7', at('fd00::7'), INTERFACES)).toBe('http://[fd00::7]:8080/');
  expect(pageUrl('0.0.0.0', at('0.0.0.0'), INTERFACES)).toBe('http://192.0.2.7:8080/');
  expect(pageUrl('::', at('::'), { lo: INTERFACES.lo })).toBe('http://127.0.0.1:8080/');
});
