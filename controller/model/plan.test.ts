import { describe, expect, it } from 'vitest';
import { migrationStartedAt, ownershipTags, TAG_MIGRATION_STARTED } from './plan.js';

describe("a migration task's timeout starts when the task started", () => {
  it("is the task's own start, else its creation", () => {
    expect(migrationStartedAt({ startedAt: 2000, createdAt: 1000 }, { [TAG_MIGRATION_STARTED]: '1@500' }, 1)).toBe(2000);
    expect(migrationStartedAt({ createdAt: 1000 }, { [TAG_MIGRATION_STARTED]: '1@500' }, 1)).toBe(1000);
    expect(migrationStartedAt({ startedAt: 0 }, {}, 1)).toBe(0);
  });

  it('is what steady recorded at RunTask for this attempt when ECS says neither', () => {
    expect(migrationStartedAt({}, { [TAG_MIGRATION_STARTED]: '3@1767258000000' }, 3)).toBe(1767258000000);
    expect(migrationStartedAt({}, { [TAG_MIGRATION_STARTED]: '12@1767258000000' }, 12)).toBe(1767258000000);
  });

  it('is unknown for another attempt, or a tag that is not `<attempt>@<ms>`', () => {
    expect(migrationStartedAt({}, { [TAG_MIGRATION_STARTED]: '2@1767258000000' }, 3)).toBeUndefined();
    expect(migrationStartedAt({}, {}, 1)).toBeUndefined();
    for (const bad of ['1@', '@5', 'x1@5', '1@5x', '1@-5', '1:5']) expect(migrationStartedAt({}, { [TAG_MIGRATION_STARTED]: bad }, 1)).toBeUndefined();
  });
});

describe('ownership tags', () => {
  it('say steady manages it, for which environment and resource', () => {
    expect(ownershipTags('shop-prod', 'Service/api')).toStrictEqual({ 'steady:managed-by': 'steady', 'steady:environment': 'shop-prod', 'steady:resource': 'Service/api' });
  });
});
