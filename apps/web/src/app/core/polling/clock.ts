import { DestroyRef, inject, Injectable, signal } from '@angular/core';
import { EMPTY, switchMap, timer } from 'rxjs';
import { PageVisibility } from './page-visibility';

/** A signal of the current time that ticks once a second while the tab is visible (for "updated N s ago"). */
@Injectable({ providedIn: 'root' })
export class Clock {
  private readonly nowSignal = signal(Date.now());
  readonly now = this.nowSignal.asReadonly();

  constructor() {
    const subscription = inject(PageVisibility)
      .visible$.pipe(switchMap((visible) => (visible ? timer(0, 1000) : EMPTY)))
      .subscribe(() => this.nowSignal.set(Date.now()));
    inject(DestroyRef).onDestroy(() => subscription.unsubscribe());
  }
}
