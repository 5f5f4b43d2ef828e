import { TestBed } from '@angular/core/testing';
import { ConfirmDialog, Confirmer } from './confirm-dialog';

/**
 * jsdom has no modal dialog: these give it the browser's shape — `showModal` opens at once, `close` closes at once
 * and fires `close` in a task of its own (HTML: "queue an element task … to fire an event named close").
 */
function nativeDialogs(): () => void {
  const prototype = HTMLDialogElement.prototype as unknown as Record<string, unknown>;
  const before = { showModal: prototype['showModal'], close: prototype['close'] };
  prototype['showModal'] = function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  prototype['close'] = function (this: HTMLDialogElement) {
    if (!this.hasAttribute('open')) return;
    this.removeAttribute('open');
    setTimeout(() => this.dispatchEvent(new Event('close')), 0);
  };
  return () => Object.assign(prototype, before);
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ConfirmDialog', () => {
  let restore: () => void;

  beforeEach(() => {
    restore = nativeDialogs();
    TestBed.configureTestingModule({ providers: [Confirmer] });
  });

  afterEach(() => restore());

  function open() {
    const fixture = TestBed.createComponent(ConfirmDialog);
    fixture.detectChanges();
    const confirmer = TestBed.inject(Confirmer);
    const element = fixture.nativeElement as HTMLElement;
    const ask = () => {
      const answer = confirmer.ask({ title: 'Pause Shop?', body: 'It will not be checked.', confirmLabel: 'Pause' });
      fixture.detectChanges();
      return answer;
    };
    const dialog = () => element.querySelector('dialog') as HTMLDialogElement;
    const confirm = () => element.querySelector<HTMLButtonElement>('[data-testid="confirm"]')!.click();
    return { ask, dialog, confirm };
  }

  it('answers true for the confirm button, false when closed otherwise (Escape)', async () => {
    const { ask, dialog, confirm } = open();
    const first = ask();
    dialog().close(); // what Escape does
    expect(await first).toBe(false);
    const second = ask();
    confirm();
    expect(await second).toBe(true);
  });

  it('a close left over from the previous question does not answer the next one', async () => {
    const { ask, dialog, confirm } = open();
    const first = ask();
    dialog().close(); // Escape: its close event is still to come ...
    let answered: boolean | null = null;
    const second = ask().then((value) => (answered = value)); // ... when a key opens the dialog again
    expect(await first).toBe(false);
    await nextTask();
    expect(answered).toBeNull();
    expect(dialog().open).toBe(true);
    confirm();
    await second;
    expect(answered).toBe(true);
  });
});
