import type { AxiosStatic } from 'axios';

let loading: Promise<AxiosStatic> | null = null;

/**
 * axios, imported on first use (once per thread). With the probe thread the main thread sends no HTTP check, and
 * only a Slack alert needs it there: not importing it at start keeps ~3 MB of heap (~5 MB RSS) out of the API's
 * isolate. Whoever sends on a schedule loads it ahead (the probe thread before it says ready, the in-process
 * probers at start), so no check waits for the import.
 */
export function loadAxios(): Promise<AxiosStatic> {
  return (loading ??= import('axios').then((module) => module.default));
}
