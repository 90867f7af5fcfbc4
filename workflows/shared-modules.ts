/**
 * What the worker evaluates once in its reusable V8 context, before any workflow exists, and shares
 * (frozen) with every workflow: `workflowBundlerOptions()` in worker.ts. Otherwise the
 * SDK evaluates each module the bundle needs once per cached workflow — for zod, ~60 modules and ~180
 * constructors per open case. Only stateless libraries belong here: a module with state of its own
 * would share that state between workflows. It is imported the way the workflows import it, so both
 * resolve to the same module (the package's ES build).
 */
export * as zod from 'zod';
