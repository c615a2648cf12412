// The pieces the lifecycle's transitions are built from: xstate's config types for this machine,
// guard combinators typed to its setup, refusals, and the actions and guards several events share.
import { and, not, or } from 'xstate';
import type { LifecycleSetup, MachineEvent } from './machine.ts';
import * as why from './reasons.ts';
import { isAllowedTransition, type StatusKey } from './status.ts';
import type { LifecycleContext, Refusal } from './types.ts';

export type StateConfig = Parameters<LifecycleSetup['createStateConfig']>[0];
// Without `states` a state is a leaf to xstate's types, so snapshot values type as plain keys.
export type LeafStateConfig = Omit<StateConfig, 'states' | 'initial'>;
export type Transition = Exclude<NonNullable<NonNullable<StateConfig['on']>['*']>, string | readonly unknown[]>;
export type Guard = NonNullable<Transition['guard']>;
export type Action = Extract<NonNullable<Transition['actions']>, readonly unknown[]>[number];
export type Builder = (from: StatusKey) => Transition[];

// xstate's and/or/not infer guard names from their arguments instead of from the setup, so their
// results are re-typed here; the guards passed in are still checked against the setup's names.
export const allOf = (guards: readonly Guard[]): Guard => and(guards as never) as unknown as Guard;
export const anyOf = (guards: readonly Guard[]): Guard => or(guards as never) as unknown as Guard;
export const isNot = (guard: Guard): Guard => not(guard as never) as unknown as Guard;

export const refuse = (refusal: Refusal, guard?: Guard): Transition => ({
  ...(guard === undefined ? {} : { guard }),
  actions: { type: 'refuse', params: refusal },
});

export const passed = (transition: Transition): Transition => ({
  ...transition,
  guard: transition.guard === undefined ? 'resultPassed' : allOf(['resultPassed', transition.guard]),
});

export const canMove = (from: StatusKey, to: StatusKey) => from !== to && isAllowedTransition(from, to);

export const toStatus = (from: StatusKey, to: StatusKey): Transition[] =>
  canMove(from, to) ? [{ target: to }] : [refuse(why.invalidTransition(from, to))];

export const issueTokenToOwner: Action[] = [
  { type: 'issueToken', params: ({ context }) => ({ owner: context.owner }) },
  'markTokenIssued',
];

export const requestedPowerType = ({ context, event }: { context: LifecycleContext; event: MachineEvent }) =>
  event.type === 'setPowerDriver' ? event.powerType : context.powerType;
export const userOf = (event: MachineEvent): string =>
  event.type === 'setWorkloadAnnotations' || event.type === 'regenerateToken' || event.type === 'deploy'
    ? event.user
    : '';
export const userIsOwner: Guard = { type: 'isOwner', params: ({ event }) => ({ user: userOf(event) }) };
export const suppliedMacs = (event: MachineEvent) => (event.type === 'setPowerDriver' ? (event.macAddresses ?? []) : []);
