/**
 * Reading values that may be unknown during `pulumi preview` (e.g. a bucket name computed by the
 * provider). @pulumi/policy throws UnknownValueError when a policy touches one; a resource policy
 * lets that propagate (the SDK then reports "can't run during preview"), but a stack policy that
 * links resources reads each value through `known` so one unknown value does not stop the rest.
 */
import { UnknownValueError } from '@pulumi/policy';

export const UNKNOWN: unique symbol = Symbol('unknown during preview');
export type Unknown = typeof UNKNOWN;

export function known<T>(read: () => T): T | Unknown {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return UNKNOWN;
    throw e;
  }
}

export function isKnown<T>(value: T | Unknown): value is T {
  return value !== UNKNOWN;
}
