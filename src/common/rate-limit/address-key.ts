import { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp } from '@nestjs/throttler';

/** A client address as a limit key. An IPv6 client owns at least a /64: per address it would get endless keys. */
export function addressKey(address: string): string {
  return normalizeIp(address, DEFAULT_IPV6_SUBNET_PREFIX);
}
