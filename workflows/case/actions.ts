/**
 * Staff actions on a case: every action of a table (workflows/messages.ts) becomes an update whose
 * validator rejects what the state forbids — so the caller hears why at once — and a signal with the
 * same checks (a refused signal is logged). A case gives one handler per action, typed by its
 * payload; the audit event and what follows it are the same for every action.
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, log, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { CasePatch } from '../../activities/cases';
import type { ActionCall, ActionTable, CaseMessages, CaseView } from '../messages';
import type { CaseTracker } from './tracker';

export type PayloadOf<T extends ActionTable, K extends keyof T> = z.infer<ReturnType<T[K]['payload']>>;

/** What an action leaves besides its state change: a read-model patch, and what follows its audit event. */
export interface Applied {
  patch?: CasePatch;
  /** The audit event's payload, when it records more (or other) than what staff sent. */
  recorded?: Record<string, unknown>;
  /** Effects after the audit event (a mail, an upgrade, a check against the read model). */
  after?: () => Promise<unknown>;
}

export type ActionHandlerMap<T extends ActionTable> = {
  [K in keyof T & string]: (payload: PayloadOf<T, K>, call: ActionCall<PayloadOf<T, K>>) => Applied | void | Promise<Applied | void>;
};

export type ActionCheckMap<T extends ActionTable> = {
  [K in keyof T & string]?: (payload: PayloadOf<T, K>, call: ActionCall<PayloadOf<T, K>>) => void;
};

export interface CaseActions<T extends ActionTable, V extends CaseView = CaseView> {
  /** The actions the case takes in its current state. */
  allowed(): (keyof T & string)[];
  /** The state, as the refusal of an action not allowed names it ("repair is completed"). */
  describe(): string;
  /** Checks every action of this case beyond role and state (e.g. C2: only the roles of the complaint's kind). */
  checkAll?(name: keyof T & string, call: ActionCall): void;
  /** Checks of one action beyond its payload's schema (e.g. only the assignee, a time in the future); throw ApplicationFailure. */
  checks?: ActionCheckMap<T>;
  handlers: ActionHandlerMap<T>;
  /** The payload as the audit log keeps it (e.g. marked confidential). */
  audited?(payload: Record<string, unknown>): Record<string, unknown>;
  /** The case as the action's answer shows it. */
  view(): V;
}

export function registerActions<T extends ActionTable, V extends CaseView>(table: T, messages: CaseMessages<T>, tracker: CaseTracker, actions: CaseActions<T, V>): void {
  /** Refuses what the case does not take now; answers the payload as its schema reads it (defaults applied). */
  const validate = (name: keyof T & string, call: ActionCall): PayloadOf<T, typeof name> => {
    const spec = table[name];
    if (!spec.roles.includes(call.actor.role as never)) {
      throw ApplicationFailure.create({ type: 'Forbidden', message: `${name} is for ${spec.roles.join(', ')}, not ${call.actor.role}`, details: [{ refusal: 'role-not-allowed', action: name, roles: spec.roles }] });
    }
    const allowed = actions.allowed();
    if (!allowed.includes(name)) {
      throw ApplicationFailure.create({
        type: 'ActionNotAllowed',
        message: `${name} is not allowed while the ${actions.describe()}; allowed now: ${allowed.join(', ') || 'nothing'}`,
        // For the API to say it in the asker's language (api/problem-words.ts).
        details: [{ refusal: 'not-allowed-now', action: name, allowed }],
      });
    }
    actions.checkAll?.(name, call);
    const parsed = spec.payload().safeParse(call.payload);
    if (!parsed.success) {
      throw ApplicationFailure.create({
        type: 'InvalidPayload',
        message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        details: [{ refusal: 'invalid-payload', issues: parsed.error.issues }],
      });
    }
    const payload = parsed.data as PayloadOf<T, typeof name>;
    actions.checks?.[name]?.(payload, { ...call, payload });
    return payload;
  };

  /** Applies an accepted action. The update's validator is not run again on replay, so the payload is read here once more. */
  const apply = async (name: keyof T & string, call: ActionCall): Promise<V> => {
    const payload = table[name].payload().parse(call.payload) as PayloadOf<T, typeof name>;
    const result = actions.handlers[name](payload, { ...call, payload });
    // A handler that waits for nothing is not awaited: the audit event follows the state change at once.
    const applied = (result instanceof Promise ? await result : result) ?? {};
    const recorded = applied.recorded ?? (call.payload as Record<string, unknown>);
    await tracker.audit(name, call.actor, actions.audited ? actions.audited(recorded) : recorded, applied.patch);
    if (applied.after) await applied.after();
    return actions.view();
  };

  for (const name of Object.keys(table) as (keyof T & string)[]) {
    setHandler(messages.updates[name] as UpdateDefinition<CaseView, [ActionCall]>, (call: ActionCall) => apply(name, call), {
      validator: (call: ActionCall) => void validate(name, call),
      description: table[name].summary,
    });
    setHandler(messages.signals[name] as SignalDefinition<[ActionCall]>, async (call: ActionCall) => {
      try {
        validate(name, call);
      } catch (error) {
        log.warn('ignored staff action sent as a signal', { action: name, reason: (error as Error).message });
        return;
      }
      await apply(name, call);
    });
  }
}
