import { bootstrapApplication } from '@angular/platform-browser';
import { App } from './app/app';
import { appConfig } from './app/app.config';
import { loadAppConfig } from './app/core/config/app-config';

// config.json is read at startup (not baked into the bundle) so a deployment can point the page at another API
// or change the poll interval without a rebuild.
loadAppConfig(globalThis.fetch.bind(globalThis))
  .then((config) => bootstrapApplication(App, appConfig(config)))
  .catch((error: unknown) => console.error(error));
