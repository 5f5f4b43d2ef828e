import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { AppLink } from '../core/navigation/app-link';

/** A service an incident or maintenance window affects; `known` ones (still in the catalog) link to their page. */
export interface AffectedService {
  readonly id: string;
  readonly name: string;
  readonly known: boolean;
}

/** The comma-separated "Affected" list of the incident and maintenance pages. */
@Component({
  selector: 'app-affected-services',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AppLink],
  template: `
    @for (service of services(); track service.id; let last = $last) {
      @if (service.known) {
        <a [appLink]="{ kind: 'service', id: service.id }">{{ service.name }}</a>
      } @else {
        {{ service.name }}
      }
      @if (!last) {
        ,
      }
    } @empty {
      No services
    }
  `,
})
export class AffectedServices {
  readonly services = input.required<readonly AffectedService[]>();
}
