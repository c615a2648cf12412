// Every project fixture through the whole pure pipeline, compared with the commissioning document
// checked in beside it (fixtures/<tree>/expected/commissioning.json, reviewed by eye against the
// tree's README). UPDATE_GOLDEN=1 rewrites the files after an intended change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toCommissioningData } from '../../src/inventory/commissioning.ts';
import { toInventories } from '../../src/inventory/normalise.ts';
import { validateCommissioningData } from '../../src/inventory/validate.ts';
import { FIXTURES, loadSource, SHAPES, treesIn } from '../helpers/mockup.ts';

const trees = treesIn(FIXTURES);
const shapes = treesIn(SHAPES).map((tree) => join('shapes', tree));

describe('project fixtures', () => {
  it('has at least six vendor trees', () => {
    expect(trees.length).toBeGreaterThanOrEqual(6);
  });

  it('has a shape fixture for each class of vendor behaviour', () => {
    expect(shapes.length).toBeGreaterThanOrEqual(1);
  });

  it.each([...trees, ...shapes])('%s gives the checked-in commissioning document', async (tree) => {
    const inventories = toInventories(await loadSource(join(FIXTURES, tree)));
    expect(inventories).toHaveLength(1);
    const document = toCommissioningData(inventories[0]!);
    expect(validateCommissioningData(document)).toEqual([]);
    const file = join(FIXTURES, tree, 'expected', 'commissioning.json');
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(join(FIXTURES, tree, 'expected'), { recursive: true });
      writeFileSync(file, text);
    }
    // A missing golden is a failure, not a file written on the spot: it must be reviewed first.
    expect(existsSync(file), `${file} is missing; write it with UPDATE_GOLDEN=1 and review it`).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});
