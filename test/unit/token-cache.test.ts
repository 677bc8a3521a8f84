// Gateway tokens are signed once per caller for a while, and verified once per token text (token-cache.ts).
import { describe, expect, it } from 'vitest';
import { rememberingVerifier, reusingSigner } from '../../subgraphs/kit/auth/token-cache';
import { signGatewayToken, verifyGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { caller, testTrust } from '../support/auth';

describe('the gateway signing tokens', () => {
  it('signs once per caller while the last token is young, and again once it is not, or for another caller', async () => {
    const at = { now: 0 };
    let signed = 0;
    const sign = reusingSigner(
      (who) => {
        signed += 1;
        return signGatewayToken(who, testTrust.gatewaySigningKey);
      },
      30_000,
      () => at.now,
    );
    const analyst = caller('risk-analyst', { memberState: 'NL' });
    const first = await sign(analyst);
    expect(await sign(analyst)).toBe(first);
    expect(signed).toBe(1);
    await sign(caller('risk-analyst', { memberState: 'DE' }));
    expect(signed).toBe(2);
    at.now += 30_000;
    expect(await sign(analyst)).not.toBe(first);
    expect(signed).toBe(3);
  });
});

describe('a subgraph verifying tokens', () => {
  const counting = () => {
    const calls = { count: 0 };
    const verify = (token: string) => {
      calls.count += 1;
      return verifyGatewayToken(token, testTrust.gatewayPublicKey);
    };
    return { calls, verify };
  };

  it('verifies each token text once, and asks again once the token has expired by its clock', async () => {
    const at = { now: Date.now() };
    const { calls, verify } = counting();
    const remembered = rememberingVerifier(verify, 60_000, () => at.now);
    const token = await signGatewayToken(caller('customs-officer', { memberState: 'NL' }), testTrust.gatewaySigningKey);
    expect((await remembered(token)).memberState).toBe('NL');
    expect((await remembered(token)).memberState).toBe('NL');
    expect(calls.count).toBe(1);
    // Past the token's exp by the cache's clock: the signature check (on the real clock) runs again.
    at.now += 61_000;
    await remembered(token);
    expect(calls.count).toBe(2);
  });

  it('asks again after its longest memory, for a token that lives longer', async () => {
    const at = { now: Date.now() };
    const { calls, verify } = counting();
    const remembered = rememberingVerifier(verify, 10_000, () => at.now);
    const token = await signGatewayToken(caller('customs-officer', { memberState: 'NL' }), testTrust.gatewaySigningKey);
    await remembered(token);
    at.now += 9_000;
    await remembered(token);
    expect(calls.count).toBe(1);
    at.now += 2_000;
    await remembered(token);
    expect(calls.count).toBe(2);
  });

  it('vouches for nothing but the exact text it verified: a token with another signature is checked, and refused', async () => {
    const { calls, verify } = counting();
    const remembered = rememberingVerifier(verify);
    const token = await signGatewayToken(caller('customs-officer', { memberState: 'NL' }), testTrust.gatewaySigningKey);
    await remembered(token);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(86)}`;
    await expect(remembered(forged)).rejects.toThrow();
    expect(calls.count).toBe(2);
  });
});
