// How long a node has been held: from the readiness taint's timeAdded, or
// from NRC's taint events when the taint carries no time.
import { asRecord, asString, metadataOf, readNode, type NodeView } from '../../base/read.ts';
import type { NodeReadiness } from '../aggregate.ts';
import { readinessEvents } from '../describe.ts';
import { formatAge, type RuleVerdict } from '../evaluate.ts';

export interface HeldDuration {
  rule: string;
  /** When the taint went on, or the earliest it is known to have been on. */
  since: string;
  seconds: number;
  source: 'taint timeAdded' | 'TaintAdded event' | 'TaintAdopted event';
  /** The taint was already on then (NRC adopted it): held at least this long. */
  atLeast: boolean;
}

/** The newest taint event NRC recorded for this rule on the node, or the taint's own timeAdded. */
function heldDuration(node: NodeView, verdict: RuleVerdict, events: unknown[] | null, now: number): HeldDuration | null {
  const taint = node.taints.find((candidate) => candidate.key === verdict.taint.key && candidate.effect === verdict.taint.effect);
  const at = (since: number, source: HeldDuration['source'], atLeast: boolean): HeldDuration => ({
    rule: verdict.rule,
    since: new Date(since).toISOString(),
    seconds: Math.max(0, Math.round((now - since) / 1000)),
    source,
    atLeast,
  });
  const added = Date.parse(taint?.timeAdded ?? '');
  if (!Number.isNaN(added)) return at(added, 'taint timeAdded', false);
  // NRC's messages name the rule: "Taint '…' added by rule 'x'", "… is now managed by rule 'x'".
  const mine = readinessEvents(events ?? [], now).filter(
    (event) => event.ageSeconds !== null && event.message.includes(`rule '${verdict.rule}'`),
  );
  // NRC adopts the taint it has just added, and adopts it again whenever rules change: the hold began
  // with the oldest event since the taint last came off, exactly if that one added it.
  const removal = mine.findIndex((event) => event.reason === 'TaintRemoved');
  const sinceRemoval = removal === -1 ? mine : mine.slice(0, removal);
  const start = sinceRemoval.findLast((event) => event.reason === 'TaintAdded') ?? sinceRemoval.at(-1);
  if (!start) return null;
  const exact = start.reason === 'TaintAdded';
  return at(now - start.ageSeconds! * 1000, exact ? 'TaintAdded event' : 'TaintAdopted event', !exact);
}

/** "3h", "at least 20m", or "" when unknown. */
export function formatHeld(held: HeldDuration | null): string {
  return held ? `${held.atLeast ? 'at least ' : ''}${formatAge(held.seconds)}` : '';
}

/** Since when each rule that holds the node has held it, where the taint or NRC's events tell. */
export function heldDurations(node: NodeView, readiness: NodeReadiness, events: unknown[] | null, now = Date.now()): HeldDuration[] {
  return readiness.verdicts
    .filter((verdict) => verdict.state === 'held')
    .map((verdict) => heldDuration(node, verdict, events, now))
    .filter((held): held is HeldDuration => held !== null);
}

/** NRC's taint events grouped by the node they are about, so each node's hold is found without a scan of them all. */
export function taintEventsByNode(events: unknown[]): Map<string, unknown[]> {
  const byNode = new Map<string, unknown[]>();
  for (const event of events) {
    const name = asString(asRecord(asRecord(event)['involvedObject'])['name']) ?? '';
    const list = byNode.get(name) ?? [];
    list.push(event);
    byNode.set(name, list);
  }
  return byNode;
}

/** Held durations of every node that is not schedulable, from one cluster-wide list of NRC's taint events (null: not readable). */
export function heldByNode(
  rawNodes: unknown[],
  readiness: NodeReadiness[],
  events: unknown[] | null,
  now = Date.now(),
): Map<string, HeldDuration[]> {
  const byName = new Map(rawNodes.map((raw) => [metadataOf(raw).name, raw]));
  const eventsByNode = events === null ? null : taintEventsByNode(events);
  return new Map(
    readiness
      .filter((node) => !node.schedulable)
      .map((node) => [
        node.node,
        heldDurations(readNode(byName.get(node.node)), node, eventsByNode?.get(node.node) ?? (eventsByNode ? [] : null), now),
      ]),
  );
}

/** The longest hold, for a table cell: "3h", "at least 20m", or "" when unknown. */
export function longestHeld(held: HeldDuration[]): string {
  const longest = [...held].sort((a, b) => b.seconds - a.seconds)[0];
  return formatHeld(longest ?? null);
}
