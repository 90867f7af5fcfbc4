/** What every case workflow shares, one concern a file (docs/architecture.md, "Workflows"). */
export { activities } from './proxies';
export { registerActions, type ActionCheckMap, type ActionHandlerMap, type Applied, type CaseActions, type PayloadOf } from './actions';
export { MovableDeadline, type DeadlineSpec, type Escalation } from './deadlines';
export { noteAssumedCalendar } from './opening';
export { openingState, receivedEvent, type CoreState } from './state';
export { CaseTracker } from './tracker';
