import { DOCUMENT, inject, Injectable } from '@angular/core';
import { Observable, distinctUntilChanged, fromEvent, map, shareReplay, startWith } from 'rxjs';

/** Whether the tab is visible: polling and the "updated N s ago" clock stop while it is hidden. */
@Injectable({ providedIn: 'root' })
export class PageVisibility {
  private readonly document = inject(DOCUMENT);

  readonly visible$: Observable<boolean> = fromEvent(this.document, 'visibilitychange').pipe(
    startWith(null),
    map(() => this.document.visibilityState !== 'hidden'),
    distinctUntilChanged(),
    shareReplay({ bufferSize: 1, refCount: true }),
  );
}
