import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AppLink } from './app-link';
import { Navigation } from './navigation';

@Component({
  imports: [AppLink],
  template: `<a [appLink]="{ kind: 'service', id: 'db' }">Database</a>`,
})
class Host {}

describe('AppLink', () => {
  beforeEach(() => vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined));
  afterEach(() => {
    history.replaceState(null, '', '/');
    vi.restoreAllMocks();
  });

  it('renders a real href and navigates in place on a plain click', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const link = (fixture.nativeElement as HTMLElement).querySelector('a')!;
    expect(link.getAttribute('href')).toBe('/services/db');

    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
    link.dispatchEvent(click);

    expect(click.defaultPrevented).toBe(true);
    expect(location.pathname).toBe('/services/db');
    expect(TestBed.inject(Navigation).route()).toEqual({ kind: 'service', id: 'db' });
  });

  it('leaves modified clicks (open in a new tab) to the browser', () => {
    const fixture = TestBed.createComponent(Host);
    fixture.detectChanges();
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ctrlKey: true });
    let leftToBrowser: boolean | null = null;
    // Runs after the link's own handler; then stops jsdom from attempting the (unsupported) real navigation.
    const observe = (event: Event) => {
      leftToBrowser = !event.defaultPrevented;
      event.preventDefault();
    };
    document.addEventListener('click', observe);
    (fixture.nativeElement as HTMLElement).querySelector('a')!.dispatchEvent(click);
    document.removeEventListener('click', observe);
    expect(leftToBrowser).toBe(true);
    expect(TestBed.inject(Navigation).route()).toEqual({ kind: 'status' });
  });

  it('follows the back button', () => {
    const navigation = TestBed.inject(Navigation);
    navigation.navigate({ kind: 'service', id: 'api' });
    history.replaceState(null, '', '/');
    window.dispatchEvent(new PopStateEvent('popstate'));
    expect(navigation.route()).toEqual({ kind: 'status' });
  });
});
