import { TestBed } from '@angular/core/testing';
import { MemoryStorage } from '../../../testing/admin-fixtures';
import { ADMIN_TOKEN_STORAGE, AdminSession, TOKEN_KEY, tokenFingerprint } from './admin-session';

describe('AdminSession', () => {
  let storage: MemoryStorage;

  beforeEach(() => {
    storage = new MemoryStorage();
    TestBed.configureTestingModule({ providers: [{ provide: ADMIN_TOKEN_STORAGE, useValue: storage }] });
    localStorage.clear();
  });

  it('keeps the token in the tab (sessionStorage) only, never localStorage or a cookie', () => {
    const session = TestBed.inject(AdminSession);
    session.signIn('sp_secret');
    expect(session.token()).toBe('sp_secret');
    expect(storage.getItem(TOKEN_KEY)).toBe('sp_secret');
    expect(localStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('survives a reload of the tab and is cleared by signing out', () => {
    storage.setItem(TOKEN_KEY, 'sp_secret');
    const session = TestBed.inject(AdminSession);
    expect(session.signedIn()).toBe(true);
    session.signOut();
    expect(session.signedIn()).toBe(false);
    expect(storage.length).toBe(0);
    expect(session.notice()).toEqual({
      tone: 'info',
      text: 'You are signed out. The token was removed from this tab.',
    });
  });

  it('works in memory when the browser refuses storage', () => {
    const refusing = new MemoryStorage();
    refusing.setItem = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [{ provide: ADMIN_TOKEN_STORAGE, useValue: refusing }] });
    const session = TestBed.inject(AdminSession);
    session.signIn('sp_secret');
    expect(session.token()).toBe('sp_secret');
  });

  it('names the token as the audit log does: the first 12 hex characters of its SHA-256', async () => {
    // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
    expect(await tokenFingerprint('abc')).toBe('ba7816bf8f01');
  });
});
