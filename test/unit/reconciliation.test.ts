import { manualReconciliationWorkflowId, RECONCILIATION_SLOTS, withoutReasonToday, type OpenRequestLine } from '../../domain/reconciliation';

describe('R12 reconciliation, the pure parts', () => {
  it('R12: the butler reconciles twice a day, at 09:00 and 15:00 local time', () => {
    expect(RECONCILIATION_SLOTS.morning).toMatchObject({ hour: 9, minute: 0 });
    expect(RECONCILIATION_SLOTS.afternoon).toMatchObject({ hour: 15, minute: 0 });
  });

  it('R12: a run started by hand is named by the property-local minute, so a double submit is one run', () => {
    const at = new Date('2026-11-22T16:05:30Z'); // 00:05 on 23 November in Shanghai
    expect(manualReconciliationWorkflowId('P001', 'morning', at, 'Asia/Shanghai')).toBe('reconcile-P001-morning-manual-2026-11-23-0005');
    expect(manualReconciliationWorkflowId('P001', 'morning', new Date(at.getTime() + 20_000), 'Asia/Shanghai')).toBe(
      manualReconciliationWorkflowId('P001', 'morning', at, 'Asia/Shanghai'),
    );
    expect(manualReconciliationWorkflowId('P001', 'afternoon', at, 'UTC')).toBe('reconcile-P001-afternoon-manual-2026-11-22-1605');
  });

  it('R12: a request in an area two butlers share counts once among those without a reason', () => {
    const line = (caseId: string, reasonToday: boolean): OpenRequestLine => ({
      caseId,
      areaId: 'A1',
      status: 'dispatched',
      receivedAt: '2026-11-23T01:00:00Z',
      reasonToday,
    });
    const shared = line('R20261123-0001', false);
    const missing = withoutReasonToday({
      butlers: [
        { butlerId: 'S-BT1', areaIds: ['A1'], requests: [shared, line('R20261123-0002', true)] },
        { butlerId: 'S-BT3', areaIds: ['A1'], requests: [shared] },
      ],
      unowned: [line('R20261123-0003', false)],
    });
    expect(missing.map((r) => r.caseId)).toEqual(['R20261123-0001', 'R20261123-0003']);
  });
});
