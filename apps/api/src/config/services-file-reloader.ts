import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CatalogService, MonitoringScheduler, PageSettings, TargetResolver } from '@app/monitoring';
import {
  ConfigurationError,
  pageInfo,
  readServicesFile,
  servicesFileCache,
  type Configuration,
} from './configuration.js';

export const RELOAD_CONFIGURATION = Symbol('RELOAD_CONFIGURATION');

/** Editors save in bursts (write, rename, chmod): one reload after the file has been quiet this long. */
const SETTLE_MS = 300;

/**
 * Reloads the services file without a restart — on SIGHUP (`systemctl reload`, `kill -HUP <pid>`) and when the
 * file changes (a watcher on its directory, so editors that save by rename are seen too). The file is validated
 * exactly as at boot: an invalid edit is refused with the same "Invalid configuration" lines and the running
 * services stay as they are. A valid one goes through CatalogService (services) and PageSettings (branding).
 */
@Injectable()
export class ServicesFileReloader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ServicesFile');
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastDigest: string;
  private running: Promise<unknown> = Promise.resolve();
  private readonly onSignal = (): void => void this.reload('SIGHUP');

  constructor(
    @Inject(RELOAD_CONFIGURATION) private readonly config: Configuration,
    private readonly catalog: CatalogService,
    private readonly resolver: TargetResolver,
    private readonly page: PageSettings,
    private readonly scheduler: MonitoringScheduler,
  ) {
    this.lastDigest = this.digest() ?? '';
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.onSignal);
    if (!this.config.env.STATUS_CONFIG_WATCH) return;
    const file = basename(this.config.servicesFile);
    try {
      this.watcher = watch(dirname(this.config.servicesFile), { persistent: false }, (_event, name) => {
        if (name !== null && name.toString() !== file) return;
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload('change'), SETTLE_MS);
        this.timer.unref();
      });
      this.watcher.on('error', (error) =>
        this.logger.warn(`watching ${this.config.servicesFile} stopped: ${String(error)}`),
      );
    } catch (error) {
      this.logger.warn(`cannot watch ${this.config.servicesFile} (${String(error)}); reload it with SIGHUP`);
    }
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.onSignal);
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Reads, validates and applies the file; false when it was refused (or could not be read). One at a time. */
  reload(trigger: 'SIGHUP' | 'change' | 'test'): Promise<boolean> {
    const run = this.running.then(() => this.apply(trigger));
    this.running = run.catch(() => undefined);
    return run;
  }

  private async apply(trigger: string): Promise<boolean> {
    while (!this.scheduler.isReady) await new Promise((done) => setTimeout(done, 200));
    const digest = this.digest();
    // A watcher fires for touches, chmods and our own reads' atime updates: only new content is a reload.
    if (trigger === 'change' && (digest === null || digest === this.lastDigest)) return true;
    const path = this.config.servicesFile;
    let file;
    try {
      file = await readServicesFile(path, this.resolver, servicesFileCache(this.config.env));
    } catch (error) {
      const text = error instanceof ConfigurationError ? error.message : String(error);
      this.logger.error(
        `${text}\nreload refused (${trigger}); the ${this.catalog.fileOrder().length} services from the last valid file keep running`,
      );
      this.lastDigest = digest ?? this.lastDigest;
      return false;
    }
    this.lastDigest = digest ?? this.lastDigest;
    this.page.set(pageInfo(this.config, file.page), file.page.order);
    const { added, changed, removed } = await this.catalog.reloadFile(file.services);
    const list = (ids: string[]) =>
      ids.length === 0 ? '0' : `${ids.length} (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''})`;
    this.logger.log(
      `reloaded ${path} (${trigger}): ${file.services.length} services; added ${list(added)}, changed ${list(changed)}, removed ${list(removed)}`,
    );
    return true;
  }

  private digest(): string | null {
    try {
      return createHash('sha256').update(readFileSync(this.config.servicesFile)).digest('hex');
    } catch {
      return null;
    }
  }
}
