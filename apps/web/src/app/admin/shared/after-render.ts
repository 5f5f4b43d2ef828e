/**
 * Runs `task` once the change detection that is under way has updated the DOM (a macrotask later), e.g. to move
 * focus to an element that is about to appear. Angular's afterNextRender would do this too, but its module code
 * would land in the public page's initial chunk (library modules are shared whole), costing the status page bytes
 * for a console feature.
 */
export function afterRender(task: () => void): void {
  setTimeout(task, 0);
}
