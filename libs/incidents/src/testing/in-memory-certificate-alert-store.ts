import { CertificateAlertStore, type CertificateAlertMark } from '../ports.js';

/** CertificateAlertStore in memory (a restart is a new CertificateAlerts over the same store). */
export class InMemoryCertificateAlertStore extends CertificateAlertStore {
  readonly marks = new Map<string, CertificateAlertMark>();
  reads = 0;

  get(serviceId: string): Promise<CertificateAlertMark | null> {
    this.reads += 1;
    const mark = this.marks.get(serviceId);
    return Promise.resolve(mark ? { ...mark } : null);
  }

  save(serviceId: string, mark: CertificateAlertMark): Promise<void> {
    this.marks.set(serviceId, { ...mark });
    return Promise.resolve();
  }
}
