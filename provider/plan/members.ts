/**
 * Which member slots a cluster keeps, adds and removes to reach `instances`. Pure.
 * Adds take the lowest free slots; removals take the highest slots that are not the primary,
 * so scaling never touches the primary.
 */
export interface MemberPlan {
  keep: number[];
  add: number[];
  remove: number[];
}

export function planMembers(current: readonly number[], instances: number, primarySlot?: number): MemberPlan {
  const slots = [...new Set(current)].sort((a, b) => a - b);
  if (slots.length <= instances) {
    const add: number[] = [];
    for (let slot = 1; slots.length + add.length < instances; slot++)
      if (!slots.includes(slot)) add.push(slot);
    return { keep: slots, add, remove: [] };
  }
  const removable = slots.filter((s) => s !== primarySlot).sort((a, b) => b - a);
  const remove = removable.slice(0, slots.length - instances).sort((a, b) => a - b);
  return { keep: slots.filter((s) => !remove.includes(s)), add: [], remove };
}

/** The members that should run: all but the fenced ones (spec.fenced). Pure. */
export function servingMembers(names: readonly string[], fenced: readonly string[]): string[] {
  return names.filter((n) => !fenced.includes(n));
}
