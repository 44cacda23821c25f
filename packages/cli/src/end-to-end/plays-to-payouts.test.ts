import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runPlaysToPayouts } from './plays-to-payouts.ts';

const work = await mkdtemp(join(tmpdir(), 'fairstream-e2e-'));
after(() => rm(work, { recursive: true, force: true }));

describe('plays to payouts, end to end through the CLI and a real node', () => {
  it('pays a 60/25/15 split exactly for two subscribed fans, through a kill -9 during ingestion and during settlement, and verify confirms it', async () => {
    const lines: string[] = [];
    const result = await runPlaysToPayouts({
      workDir: work,
      epochSeconds: 10,
      trackSeconds: 30,
      log: (line) => lines.push(line),
    });
    assert.equal(result.countedPlays, 2, lines.join('\n'));
    for (const recipient of result.recipients) {
      assert.equal(recipient.received, recipient.expected, `${recipient.percent}% share`);
      assert.ok(recipient.received > 0n);
    }
    assert.equal(
      result.recipients.reduce((total, recipient) => total + recipient.received, 0n) + result.fee,
      result.released,
    );
    assert.ok(result.killedDuringSettlement, `the node was killed while settling\n${lines.join('\n')}`);
    assert.match(result.verifyOutput, /match/i);
  });
});
