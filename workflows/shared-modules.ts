/**
 * What the worker evaluates once in its reusable V8 context, before any workflow exists, and shares
 * with every workflow: `workflowBundlerOptions()` in worker.ts. Otherwise the SDK evaluates each
 * module the bundle needs once per cached workflow — for zod, ~60 modules and ~180 constructors per
 * open case. Only stateless libraries belong here: a module with state of its own would share that
 * state between workflows. It is imported the way the workflows import it, so both resolve to the
 * same module (the package's ES build).
 *
 * The SDK freezes what the preload leaves in the context, globals included. zod fills in some state
 * on first use — its configuration's defaults (English messages, the memoizer) in a global object, and
 * whether the context allows `new Function` (its fast object parser) in an exported lazy box — and in
 * a workflow, after the freeze, those writes throw. So they are settled here, while they can still be
 * written, to what zod itself would choose.
 */
import { z } from 'zod';

export * as zod from 'zod';

z.config(z.locales.en());
z.config({ memoizer: z.core.memoizer() });
void z.core.util.allowsEval.value;
