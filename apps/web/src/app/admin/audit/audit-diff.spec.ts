import { actionLabel, auditChanges } from './audit-diff';

describe('audit changes', () => {
  it('lists only the fields an update changed', () => {
    expect(
      auditChanges({ id: 'shop', interval: '30s', paused: false }, { id: 'shop', interval: '10s', paused: true }),
    ).toEqual([
      { field: 'interval', before: '"30s"', after: '"10s"' },
      { field: 'paused', before: 'false', after: 'true' },
    ]);
  });

  it('shows every field of a created or deleted object, with no other side', () => {
    expect(auditChanges(null, { id: 'shop', name: 'Shop' })).toEqual([
      { field: 'id', before: null, after: '"shop"' },
      { field: 'name', before: null, after: '"Shop"' },
    ]);
    expect(auditChanges({ id: 'mnt-1' }, null)).toEqual([{ field: 'id', before: '"mnt-1"', after: null }]);
  });

  it('shows what was appended to a list (an incident update) rather than the whole list', () => {
    const first = { status: 'investigating', message: 'Looking.' };
    const second = { status: 'identified', message: 'Bad deploy.' };
    expect(auditChanges({ updates: [first] }, { updates: [first, second] })).toEqual([
      { field: 'updates', before: '1 item', after: '+ {"status":"identified","message":"Bad deploy."}' },
    ]);
  });

  it('names actions in words', () => {
    expect(actionLabel('service.create')).toBe('Service created');
    expect(actionLabel('incident.update')).toBe('Incident updated');
    expect(actionLabel('maintenance.delete')).toBe('Maintenance deleted');
    expect(actionLabel('token.rotate')).toBe('token.rotate');
  });
});
