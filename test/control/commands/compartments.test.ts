/**
 * `compartment service` is idempotent: asking for the state a compartment is already in succeeds
 * (exit 0), says so, and writes nothing (no audit row, no outbox event); an existing
 * out-of-service keeps its reason. Driven through lockerctl's run() and the real socket.
 */
import { describe, expect, it } from 'vitest';
import { request } from '../../../src/control/client.js';
import { useControlApp } from '../../helpers/control-app.js';

describe('compartment service, asked twice', () => {
  const t = useControlApp();

  const { ctl } = t;
  /** What a change leaves behind: audit rows and outbox events. */
  const written = (): { audit: number; events: number } => ({ audit: t.app.ledger.audit.recent(10_000).length, events: t.app.ledger.outbox.list({ limit: 10_000 }).length });

  it('succeeds saying A02 was already in service, and writes nothing', async () => {
    const before = written();
    const again = await ctl('compartment', 'service', 'A02', 'in');
    expect(again).toEqual({ code: 0, out: 'A02 was already in service\n', err: '' });
    expect(await request(t.socket, 'compartment.service', { compartment: 'A02', inService: true })).toEqual({ compartment: 'A02', inService: true, reason: null, unchanged: true, note: 'A02 was already in service' });
    expect(written()).toEqual(before);
  });

  it('takes A02 out once; asked again, with another reason, keeps the first reason and says it', async () => {
    const out = await ctl('compartment', 'service', 'A02', 'out', '--reason', 'hinge broken');
    expect(out).toEqual({ code: 0, out: 'compartment A02 is out of service: hinge broken\n', err: '' });
    const before = written();
    const again = await ctl('compartment', 'service', 'A02', 'out', '--reason', 'door dented');
    expect(again).toEqual({ code: 0, out: 'A02 was already out of service: hinge broken\n', err: '' });
    expect(written()).toEqual(before);
    expect(t.app.ledger.compartments.get('A02')!.outOfService).toBe('hinge broken');

    const back = await ctl('compartment', 'service', 'A02', 'in');
    expect(back).toEqual({ code: 0, out: 'compartment A02 is back in service\n', err: '' });
    expect(written()).toEqual({ audit: before.audit + 1, events: before.events + 1 });
    expect(t.app.ledger.compartments.get('A02')!.outOfService).toBeNull();
  });

  it('still refuses an unknown compartment (65) and a missing reason (64), changing nothing', async () => {
    const before = written();
    expect((await ctl('compartment', 'service', 'Z99', 'in')).code).toBe(65);
    expect((await ctl('compartment', 'service', 'A02', 'out')).code).toBe(64);
    expect(written()).toEqual(before);
  });
});
