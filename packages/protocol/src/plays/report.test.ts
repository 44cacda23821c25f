import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  MAX_REPORT_SEGMENTS,
  type PlaybackReport,
  reportSigningBytes,
  validateReportShape,
  verifyReportSignature,
} from './report.ts';

const valid: PlaybackReport = {
  id: '0f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b',
  playId: 'play_0001',
  trackId: 'trk-42',
  listener: '0x00000000000000000000000000000000000000aa',
  sessionKey: 'ab'.repeat(32),
  segments: [
    [0, 10_000],
    [10_000, 20_000],
  ],
  startedAt: 1_767_225_600_000,
  endedAt: 1_767_225_620_000,
  source: 'web',
  appId: null,
  signature: 'cd'.repeat(64),
};

const reasonFor = (patch: Record<string, unknown>): string => {
  const check = validateReportShape({ ...valid, ...patch });
  assert.equal(check.ok, false, JSON.stringify(patch));
  return check.ok ? '' : check.reason;
};

describe('reportSigningBytes', () => {
  it('is the UTF-8 of the fixed JSON array, signature excluded', () => {
    const { signature: _, ...unsigned } = valid;
    assert.equal(
      new TextDecoder().decode(reportSigningBytes(unsigned)),
      '["fairstream-play/1","0f8e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b","play_0001","trk-42",' +
        '"0x00000000000000000000000000000000000000aa","' +
        'ab'.repeat(32) +
        '",[[0,10000],[10000,20000]],1767225600000,1767225620000,"web",null]',
    );
    assert.deepEqual(reportSigningBytes(valid), reportSigningBytes(unsigned));
  });

  it('is what an Ed25519 session key signs and verifies', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const bytes = reportSigningBytes(valid);
    const signature = sign(null, bytes, privateKey);
    assert.equal(signature.length, 64);
    assert.ok(verify(null, bytes, publicKey, signature));
    const tampered = reportSigningBytes({ ...valid, segments: [[0, 20_000]] });
    assert.equal(verify(null, tampered, publicKey, signature), false);
  });
});

describe('verifyReportSignature', () => {
  it('checks with WebCrypto what node:crypto signed, and nothing else', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ format: 'der', type: 'spki' });
    const sessionKey = der.subarray(der.length - 32).toString('hex');
    const unsigned = { ...valid, sessionKey };
    const report = {
      ...unsigned,
      signature: sign(null, reportSigningBytes(unsigned), privateKey).toString('hex'),
    };
    assert.equal(await verifyReportSignature(report), true);
    assert.equal(await verifyReportSignature({ ...report, endedAt: report.endedAt + 1 }), false);
    assert.equal(await verifyReportSignature({ ...report, sessionKey: 'ab'.repeat(32) }), false);
    assert.equal(await verifyReportSignature({ ...report, signature: 'zz' }), false);
  });
});

describe('validateReportShape', () => {
  it('accepts a well-formed report and returns a copy with only its fields', () => {
    const check = validateReportShape(JSON.parse(JSON.stringify(valid)));
    assert.ok(check.ok);
    assert.deepEqual(check.report, valid);
    assert.ok(validateReportShape({ ...valid, segments: [], source: 'api', appId: 'com.example:player' }).ok);
  });

  it('says which field is wrong and what it should be', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ id: 'short' }, /^id must be 8–64/],
      [{ id: 'x'.repeat(65) }, /^id must be/],
      [{ playId: 'has space!' }, /^playId must be/],
      [{ trackId: '' }, /^trackId must be 1–64/],
      [
        { listener: '0x00000000000000000000000000000000000000AA' },
        /^listener must be a lower-case 0x address/,
      ],
      [{ sessionKey: 'AB'.repeat(32) }, /^sessionKey must be .* 64 lower-case hex/],
      [{ sessionKey: `0x${'ab'.repeat(31)}` }, /^sessionKey/],
      [{ segments: 'all' }, /^segments must be an array/],
      [{ segments: [[0, 1, 2]] }, /^segments\[0\] must be a \[start, end\) pair/],
      [
        {
          segments: [
            [0, 10],
            [5, 5],
          ],
        },
        /^segments\[1\] is \[5, 5\): start must be before end/,
      ],
      [{ segments: [[-1, 10]] }, /^segments\[0\] must hold whole, non-negative milliseconds/],
      [{ segments: [[0.5, 10]] }, /^segments\[0\] must hold whole/],
      [{ segments: Array.from({ length: MAX_REPORT_SEGMENTS + 1 }, (_, i) => [i, i + 1]) }, /at most 256/],
      [{ startedAt: '2026-01-01' }, /^startedAt must be Unix milliseconds/],
      [{ endedAt: null }, /^endedAt must be Unix milliseconds/],
      [{ endedAt: valid.startedAt - 1 }, /^endedAt .* is before startedAt/],
      [{ endedAt: valid.startedAt + 24 * 3600_000 + 1 }, /spans at most 24 hours/],
      [{ source: 'ios' }, /^source must be one of web, cli, api/],
      [{ appId: '' }, /^appId must be null or 1–64/],
      [{ appId: 42 }, /^appId must be null/],
      [{ signature: 'cd'.repeat(63) }, /^signature must be .* 128 lower-case hex/],
      [{ extra: 1 }, /^Unknown field "extra"/],
    ];
    for (const [patch, expected] of cases) assert.match(reasonFor(patch), expected, JSON.stringify(patch));
  });

  it('refuses non-objects and reports a missing field by name', () => {
    for (const bad of [null, 'report', 42, [valid]]) {
      const check = validateReportShape(bad);
      assert.ok(!check.ok);
      assert.match(check.reason, /must be a JSON object/);
    }
    const { appId: _, ...withoutAppId } = valid;
    const check = validateReportShape(withoutAppId);
    assert.ok(!check.ok);
    assert.equal(check.reason, 'Missing field "appId"');
  });
});
