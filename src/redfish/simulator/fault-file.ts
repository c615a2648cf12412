// Fault rules from a YAML file (`redfish-enlist simulate --faults FILE`): a list in the FaultRule
// shape, plus `pattern:` for a RegExp path (YAML has no RegExp) and `bmcs:` to pick BMCs of a fleet.
import { parse } from 'yaml';
import { invalid, isInteger, isRecord } from './check.ts';
import { checkFaultRules, type FaultRule } from './faults.ts';

/** One rule of a fault file and the fleet indexes it applies to (undefined: every BMC). */
export interface FleetFaultRule {
  readonly rule: FaultRule;
  readonly bmcs?: readonly number[];
}

const KEYS = ['path', 'pattern', 'method', 'times', 'probability', 'afterAuth', 'action', 'bmcs'];

/** Parses and checks a fault file for a fleet of `size` BMCs; throws TypeError naming the first bad entry. */
export function parseFaultFile(text: string, size: number): FleetFaultRule[] {
  let entries: unknown;
  try {
    entries = parse(text);
  } catch (error) {
    throw new TypeError(`not valid YAML: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw invalid('faults', 'a YAML list of fault rules', entries);
  const parsed = entries.map((entry: unknown, i): FleetFaultRule => {
    const name = `faults[${i}]`;
    if (!isRecord(entry)) throw invalid(name, 'a fault rule (a map with an action)', entry);
    const unknown = Object.keys(entry).find((key) => !KEYS.includes(key));
    if (unknown !== undefined) throw new TypeError(`Unknown key \`${name}.${unknown}\`; a fault rule has ${KEYS.join(', ')}`);
    const { pattern, bmcs, ...rule } = entry;
    if (pattern !== undefined && rule.path !== undefined) throw new TypeError(`\`${name}\` has both path and pattern; give one`);
    if (bmcs !== undefined && !(Array.isArray(bmcs) && bmcs.length > 0 && bmcs.every((index) => isInteger(index, 0, size - 1)))) {
      throw invalid(`${name}.bmcs`, `a list of BMC indexes from 0 to ${size - 1} (0 is the first BMC listed)`, bmcs);
    }
    return { rule: { ...rule, ...(pattern === undefined ? {} : { path: regExp(pattern, `${name}.pattern`) }) } as FaultRule, ...(bmcs === undefined ? {} : { bmcs: bmcs as number[] }) };
  });
  checkFaultRules(parsed.map((entry) => entry.rule), 'faults');
  return parsed;
}

/** The rules that apply to BMC `index`, in file order (the first match wins). */
export function faultsForBmc(rules: readonly FleetFaultRule[], index: number): FaultRule[] {
  return rules.filter((entry) => entry.bmcs === undefined || entry.bmcs.includes(index)).map((entry) => entry.rule);
}

function regExp(pattern: unknown, name: string): RegExp {
  if (typeof pattern !== 'string' || pattern === '') throw invalid(name, 'a regular expression as a string', pattern);
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw invalid(name, `a valid regular expression (${(error as Error).message})`, pattern);
  }
}
