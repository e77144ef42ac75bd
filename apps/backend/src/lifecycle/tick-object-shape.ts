import { createHook } from 'node:async_hooks';

let pinned: object | undefined;

/**
 * Keeps one of process.nextTick's queue entries (a "TickObject") alive for the life of the process,
 * and with it the hidden class V8 gives them.
 *
 * nextTick builds each entry as an object literal with computed symbol keys. Once a major GC finds
 * no entry alive — easily, since each lives a few microseconds — V8 collects that hidden class;
 * entries made afterwards get a new one, and nextTick's optimised code falls back on a runtime call
 * and map transitions for every property of every entry: several hundred nanoseconds per call
 * instead of a few dozen, for the rest of the process's life. Node's streams call nextTick about six
 * times per request, so a process that hit it spent 8–10 % more CPU on a cached read than one that
 * didn't (side by side: docs/PERFORMANCE.md) — one of the reasons identical replicas settled at
 * different costs.
 *
 * Called before anything else loads (main.ts's first import), while no major GC has run yet.
 */
export function pinTickObjectShape(): object | undefined {
  if (pinned) return pinned;
  // async_hooks is the public way to see a tick's entry; the hook lives for this one call.
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') pinned ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => undefined);
  } finally {
    hook.disable();
  }
  // A Node.js whose nextTick makes no TickObject gets no pin: it is a saving, not a condition to
  // start (tests/core/tick-object-shape.spec.ts is where such a release shows up).
  return pinned;
}
